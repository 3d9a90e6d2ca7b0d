<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\TestCase;

/**
 * pcntl_fork() after the parent used a Store: parent and child both keep working and exit cleanly.
 * Runs in its own PHP process (scripts/fork.php), so a hang is caught by a deadline here.
 */
final class ForkTest extends TestCase
{
    public function testParentAndChildrenKeepWorkingAcrossTwentyForks(): void
    {
        if (!function_exists('pcntl_fork')) {
            $this->markTestSkipped('pcntl is not available in this PHP build');
        }
        $db = TestDatabase::create('fork');
        try {
            $result = Php::run(__DIR__ . '/scripts/fork.php', [$db->dsn, '20'], true, 120);
            $this->assertFalse($result['timed_out'], 'fork scenario hung: ' . $result['stderr']);
            $this->assertSame(0, $result['exit'], $result['stdout'] . $result['stderr']);
            $this->assertSame('', $result['stderr']);
            $report = json_decode($result['stdout'], true, 8, JSON_THROW_ON_ERROR);
            $this->assertSame(20, $report['children_ok']);
            $this->assertSame(0, $report['children_failed']);
            $this->assertSame(0, $report['children_hung']);
            $this->assertSame(20, $report['parent_calls_after_fork']);
        } finally {
            $db->drop();
        }
    }
}
