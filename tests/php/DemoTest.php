<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\TestCase;

/**
 * examples/demo.php, the README's first command, runs through in a child process with the built extension and
 * shows every part of the day, so the demo cannot rot unnoticed. It writes to a database of its own name here,
 * which this test drops.
 */
final class DemoTest extends TestCase
{
    public function testTheDemoRunsThroughAndShowsEveryPart(): void
    {
        $database = sprintf('dsgvo_php_demo_%d', getmypid());
        $tmp = sys_get_temp_dir() . "/dsgvo-php-demo-$database";
        @mkdir($tmp, 0700);
        $saved = ['DSGVO_DEMO_DATABASE' => getenv('DSGVO_DEMO_DATABASE'), 'TMPDIR' => getenv('TMPDIR')];
        // The child inherits this process's environment (DSGVO_DSN as the suite runs with): its own database,
        // and a temporary directory of its own, to see that the export's files are removed.
        putenv("DSGVO_DEMO_DATABASE=$database");
        putenv("TMPDIR=$tmp");
        try {
            $run = Php::run(dirname(__DIR__, 2) . '/examples/demo.php', [], true, 60.0);
            $left = array_diff((array) scandir($tmp), ['.', '..']);
            // Once more: it starts over on its own database and prints the same.
            $again = Php::run(dirname(__DIR__, 2) . '/examples/demo.php', [], true, 60.0);
        } finally {
            foreach ($saved as $name => $value) {
                putenv($value === false ? $name : "$name=$value");
            }
            TestDatabase::pdo()->exec("DROP DATABASE IF EXISTS `$database`");
            @rmdir($tmp);
        }
        $out = $run['stdout'];
        $this->assertFalse($run['timed_out'], 'the demo finishes within a minute');
        $this->assertSame(0, $run['exit'], $out . $run['stderr']);
        $this->assertSame('', $run['stderr'], 'no warnings or notices');
        $this->assertStringNotContainsString('WRONG', $out, 'no self-check failed');
        $this->assertSame([], array_values($left), 'the export and its directory are removed');

        $this->assertMatchesRegularExpression('/^\s+300 customers, \d+ orders, \d+ guest orders/m', $out, 'the generated shop');
        $this->assertMatchesRegularExpression('/confirmConsent\(\) = event #\d+; maySend: consent/', $out, 'double opt-in');
        $this->assertStringContainsString('the same link again: TokenException', $out);
        // The reasons table: every row a reason code with its counts, and the sendable totals.
        $this->assertMatchesRegularExpression('/^\s+reason\s+newsletter\s+winback\s+meaning$/m', $out);
        foreach (['consent', 'existing_customer', 'no_consent', 'consent_pending', 'consent_revoked', 'opted_out_all', 'email_changed', 'purchase_too_old', 'notice_missing', 'too_frequent'] as $reason) {
            $this->assertMatchesRegularExpression("/^\\s+$reason\\s+(\\d+|-)\\s+(\\d+|-)\\s/m", $out, "reason $reason counted");
        }
        $this->assertMatchesRegularExpression('/^\s+sendable \(filterSendable\)\s+(\d+)\s+\d+$/m', $out);
        // The unsubscribe and its effect on the next decision and the next campaign.
        $this->assertMatchesRegularExpression('/unsubscribe\(\) new true; the same POST again: new false/', $out);
        $this->assertStringContainsString('next maySend(2, newsletter): opted_out (was consent)', $out);
        preg_match('/next newsletter: (\d+) sendable \(was (\d+)\)/', $out, $next);
        $this->assertSame((int) $next[2] - 1, (int) $next[1], 'one fewer after the unsubscribe');
        // The export's ZIP listing.
        $this->assertMatchesRegularExpression('/^\s+file in the ZIP\s+bytes$/m', $out);
        foreach (['export.json', 'index.html', 'manifest.json', 'sections/01-customers.csv'] as $file) {
            $this->assertMatchesRegularExpression('/^\s+' . preg_quote($file, '/') . '\s+\d+$/m', $out, "$file listed");
        }
        $this->assertStringContainsString('orders: 4, of them 1 as a guest', $out);
        // The erasure report.
        // (Each part may go on under itself on the next lines.)
        $this->assertMatchesRegularExpression('/^ {3}removed {5}(.+\n {15})*.*\bcustomers 1\b/m', $out);
        $this->assertMatchesRegularExpression('/^ {3}anonymised  (.+\n {15})*.*\breviews 1\b/m', $out);
        $this->assertMatchesRegularExpression('/^ {3}retained {4}(.+\n {15})*.*\borders 4: kept for tax law/m', $out);
        $this->assertMatchesRegularExpression('/^\s+suppressed\s+2 addresses/m', $out);
        $this->assertMatchesRegularExpression('/maySend\(\d+, newsletter\): suppressed$/m', $out, 'a new account with an erased address');
        // The ledger.
        $this->assertMatchesRegularExpression('/verifyLedger\(\): ok true, \d+ events, first_bad_id NULL/', $out);

        // Idempotent: the second run printed the same, but for times, tokens and hashes.
        $this->assertSame(0, $again['exit'], $again['stdout'] . $again['stderr']);
        $this->assertSame(self::stable($out), self::stable($again['stdout']));
    }

    /** The output without what changes from run to run: times, dates, tokens, hashes, sizes of signed files. */
    private static function stable(string $out): string
    {
        return (string) preg_replace(
            ['/\d{4}-\d\d-\d\d/', '/\d\d:\d\d:\d\d/', '/t=[A-Za-z0-9_-]+…?/', '/sha256 [0-9a-f]+…?/', '/\d+ bytes/', '/^(\s+\S+\.(json|html|csv))\s+\d+$/m', '/Done in [\d.]+ s/'],
            ['DATE', 'TIME', 't=TOKEN', 'sha256 HASH', 'N bytes', '$1 N', 'Done in N s'],
            $out
        );
    }
}
