<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/tools/describe.php';

/**
 * php-stubs/dsgvo.php says exactly what the loaded extension offers: classes, parents, methods,
 * parameter names, types and defaults, return types, functions.
 */
final class StubsTest extends TestCase
{
    public function testStubsMatchTheLoadedExtension(): void
    {
        $root = dirname(__DIR__, 2);
        $result = Php::run(__DIR__ . '/tools/describe.php', ['stubs', $root . '/php-stubs/dsgvo.php'], false);
        $this->assertSame(0, $result['exit'], $result['stderr']);
        $stubs = json_decode($result['stdout'], true, 64, JSON_THROW_ON_ERROR);
        $extension = json_decode(json_encode(\describe_extension(), JSON_THROW_ON_ERROR), true);

        $this->assertNotEmpty($extension['classes']);
        $this->assertSame($extension, $stubs, 'php-stubs/dsgvo.php differs from ReflectionExtension(dsgvo)');
    }
}
