<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\TestCase;

/** purgeExpired(): retention settings, dry run, proof kept, and a large purge under live traffic. */
final class RetentionTest extends TestCase
{
    private const SECRET = 'f8b557151ff787cca6fe0d500e995a5e6e0fea35b450af5481972532aefebf41';

    /** @var TestDatabase */
    private $db;

    protected function setUp(): void
    {
        $this->db = TestDatabase::create('retention');
    }

    protected function tearDown(): void
    {
        $this->db->drop();
    }

    /** @param array<string, mixed> $options */
    private function store(array $options = []): Store
    {
        return new Store($options + ['dsn' => $this->db->dsn, 'secret' => self::SECRET]);
    }

    private function rows(string $table, string $where = '1'): int
    {
        return (int) $this->db->pdo->query("SELECT COUNT(*) FROM dsgvo_$table WHERE $where")->fetchColumn();
    }

    private static function daysAgo(int $days): string
    {
        return gmdate('Y-m-d\TH:i:s\Z', time() - $days * 86400);
    }

    public function testPurgesWhatIsExpiredAndKeepsProof(): void
    {
        $store = $this->store(['retention_send_log_days' => 90, 'retention_archive_days' => 30, 'retention_pending_consent_days' => 14]);
        $store->migrate();
        $old = $store->logSend(1, 'newsletter', ['sent_at' => self::daysAgo(100), 'email' => 'a@example.org']);
        $store->rateEmail($old, 3);
        $store->archiveEmail($old, 'old', str_repeat('x', 2000000));
        $middle = $store->logSend(1, 'newsletter', ['sent_at' => self::daysAgo(60)]);
        $store->archiveEmail($middle, 'middle', 'body');
        $this->db->pdo->exec("UPDATE dsgvo_email_archive SET archived_at = UTC_TIMESTAMP(6) - INTERVAL 40 DAY WHERE send_id = $middle");
        $store->rateEmail($middle, 5);
        $fresh = $store->logSend(1, 'newsletter');
        $store->archiveEmail($fresh, 'fresh', 'body');

        $import = ['source' => 'import', 'occurred_at' => self::daysAgo(30), 'ip' => '192.0.2.7', 'user_agent' => 'UA'];
        $store->requestConsent(2, 'newsletter', $import);                           // expired, unconfirmed: blanked
        $confirmed = $store->requestConsent(3, 'newsletter', $import);
        $store->confirmConsent($confirmed);                                        // confirmed: kept
        $store->requestConsent(4, 'newsletter', ['ip' => '192.0.2.8']);             // recent: kept
        $store->grantConsent(5, 'newsletter', ['source' => 'import', 'occurred_at' => self::daysAgo(3000), 'ip' => '192.0.2.9']);
        $store->revokeConsent(5, 'newsletter', ['source' => 'import', 'occurred_at' => self::daysAgo(2000), 'ip' => '192.0.2.9']);
        $store->optOut(6, '*', ['ip' => '192.0.2.10']);
        $this->db->pdo->exec('UPDATE dsgvo_opt_outs SET created_at = UTC_TIMESTAMP(6) - INTERVAL 5000 DAY');

        $expected = ['dsgvo_send_log' => 1, 'dsgvo_email_ratings' => 1, 'dsgvo_email_archive' => 2, 'dsgvo_consent_events' => 1, 'dsgvo_idempotency_keys' => 0];
        $this->assertSame($expected, $store->purgeExpired(['dry_run' => true]));
        $this->assertSame(3, $this->rows('send_log'), 'a dry run deletes nothing');
        $this->assertSame($expected, $store->purgeExpired());
        $this->assertSame(array_fill_keys(array_keys($expected), 0), $store->purgeExpired(), 'nothing left to purge');

        $this->assertSame(2, $this->rows('send_log'));
        $this->assertSame(1, $this->rows('email_ratings'), "the middle send's rating stays with its send");
        $this->assertSame(['fresh'], $this->db->pdo->query('SELECT subject FROM dsgvo_email_archive')->fetchAll(PDO::FETCH_COLUMN));
        $this->assertSame(1, $this->rows('email_archive_chunks'), 'chunks of purged copies go too');
        $this->assertNull($store->archivedEmail($middle));

        $requests = $this->db->pdo->query("SELECT customer_id, ip, user_agent, personal_salt IS NULL AS blanked, blanked_at IS NOT NULL AS marked FROM dsgvo_consent_events WHERE action = 'requested' ORDER BY customer_id")->fetchAll(PDO::FETCH_ASSOC);
        $this->assertEquals([
            ['customer_id' => 2, 'ip' => null, 'user_agent' => null, 'blanked' => 1, 'marked' => 1],
            ['customer_id' => 3, 'ip' => '192.0.2.7', 'user_agent' => 'UA', 'blanked' => 0, 'marked' => 0],
            ['customer_id' => 4, 'ip' => '192.0.2.8', 'user_agent' => null, 'blanked' => 0, 'marked' => 0],
        ], $requests);
        $this->assertSame(6, $this->rows('consent_events'), 'no ledger row is deleted');
        $this->assertSame(2, $this->rows('consent_events', "customer_id = 5 AND ip = '192.0.2.9'"), 'grants and revocations are proof');
        $this->assertSame(1, $this->rows('opt_outs'), 'opt-outs are proof');
        $this->assertSame(['ok' => true, 'events' => 6, 'first_bad_id' => null], $store->verifyLedger());
    }

    public function testARequestWhoseTokenIsStillValidIsNeverBlanked(): void
    {
        $store = $this->store(['retention_pending_consent_days' => 1, 'consent_token_ttl_days' => 30]);
        $store->migrate();
        $store->requestConsent(2, 'newsletter', ['source' => 'import', 'occurred_at' => self::daysAgo(10), 'ip' => '192.0.2.7']);
        $this->assertSame(0, $store->purgeExpired()['dsgvo_consent_events']);
    }

    public function testRetentionOffKeepsEverything(): void
    {
        $store = $this->store();
        $store->migrate();
        $store->logSend(1, 'newsletter', ['sent_at' => '2001-01-01T00:00:00Z']);
        $this->assertSame(['dsgvo_send_log' => 0, 'dsgvo_email_ratings' => 0, 'dsgvo_email_archive' => 0, 'dsgvo_consent_events' => 0, 'dsgvo_idempotency_keys' => 0], $store->purgeExpired());
        $this->assertSame(1, $this->rows('send_log'));
    }

    public function testIdempotencyKeysLiveForTheirRetryWindow(): void
    {
        $store = $this->store(['retention_idempotency_days' => 7]);
        $store->migrate();
        $old = $store->grantConsent(1, 'newsletter', ['idempotency_key' => 'signup-1']);
        $recent = $store->logSend(2, 'newsletter', ['idempotency_key' => 'send-2']);
        $this->db->pdo->exec("UPDATE dsgvo_idempotency_keys SET created_at = UTC_TIMESTAMP(6) - INTERVAL 8 DAY WHERE idem_key = 'signup-1'");

        $this->assertSame(1, $store->purgeExpired(['dry_run' => true])['dsgvo_idempotency_keys']);
        $this->assertSame(2, $this->rows('idempotency_keys'), 'a dry run deletes nothing');
        $this->assertSame(1, $store->purgeExpired()['dsgvo_idempotency_keys']);
        $this->assertSame(0, $store->purgeExpired()['dsgvo_idempotency_keys'], 'nothing left to purge');

        // Within its window a key still answers the first result; past it, the same key writes again.
        $this->assertSame($recent, $store->logSend(2, 'newsletter', ['idempotency_key' => 'send-2']));
        $again = $store->grantConsent(1, 'newsletter', ['idempotency_key' => 'signup-1']);
        $this->assertNotSame($old, $again);
        $this->assertSame(2, $this->rows('consent_events'), 'the consent events themselves are proof and stay');

        // 0 keeps every key; the default is 30 days.
        $keep = $this->store(['retention_idempotency_days' => 0]);
        $this->db->pdo->exec("UPDATE dsgvo_idempotency_keys SET created_at = UTC_TIMESTAMP(6) - INTERVAL 5000 DAY");
        $this->assertSame(0, $keep->purgeExpired()['dsgvo_idempotency_keys']);
        $this->assertSame(2, $this->rows('idempotency_keys'));
        $this->assertSame(2, $this->store()->purgeExpired()['dsgvo_idempotency_keys']);
    }

    public function testOptionsAreValidated(): void
    {
        $store = $this->store();
        foreach ([['dryrun' => true], ['dry_run' => 'yes'], ['dry_run' => 1], ['limit' => 0], ['limit' => -5], ['limit' => '10']] as $options) {
            try {
                $store->purgeExpired($options);
                $this->fail('accepted ' . json_encode($options));
            } catch (InvalidInputException $e) {
                $this->assertMatchesRegularExpression('/dry_run|limit/', $e->getMessage());
            }
        }
    }

    public function testALimitPurgesInSteps(): void
    {
        $store = $this->store(['retention_send_log_days' => 30, 'retention_archive_days' => 60]);
        $store->migrate();
        for ($i = 0; $i < 25; $i++) {
            $id = $store->logSend(1 + $i, 'newsletter', ['sent_at' => self::daysAgo(40)]);
            $store->rateEmail($id, 5);
        }
        $this->db->pdo->exec('DELETE FROM dsgvo_email_ratings WHERE send_id % 2 = 0');
        $steps = [];
        do {
            $done = $store->purgeExpired(['limit' => 10]);
            $steps[] = [$done['dsgvo_send_log'], $done['dsgvo_email_ratings']];
        } while ($done['dsgvo_send_log'] > 0);
        $this->assertSame([10, 10, 5, 0], array_column($steps, 0), 'at most ten sends per call');
        $this->assertSame(13, array_sum(array_column($steps, 1)), 'ratings go with their sends and do not count');
        $this->assertSame(0, $this->rows('send_log'));
        $this->assertSame(['dsgvo_send_log' => 0, 'dsgvo_email_ratings' => 0, 'dsgvo_email_archive' => 0, 'dsgvo_consent_events' => 0, 'dsgvo_idempotency_keys' => 0], $store->purgeExpired(['dry_run' => true, 'limit' => 3]));
    }

    /**
     * A million expired sends are purged while another PHP process keeps logging sends and deciding;
     * none of its calls waits a second.
     */
    public function testAMillionRowPurgeUnderLiveTraffic(): void
    {
        $store = $this->store(['retention_send_log_days' => 30]);
        $store->migrate();
        $store->defineEmailType('review', 'consent', ['min_interval_days' => 7]);
        $pdo = $this->db->pdo;
        $pdo->exec("INSERT INTO dsgvo_send_log (customer_id, type, email, subject, sent_at)
            SELECT 1 + seq % 50000, 'newsletter', CONCAT('c', seq % 50000, '@example.org'), 'Newsletter', UTC_TIMESTAMP(6) - INTERVAL (31 + seq % 1000) DAY
            FROM seq_1_to_1000000");
        $this->assertSame(1000000, $this->rows('send_log'));

        $stop = sys_get_temp_dir() . '/dsgvo-stop-' . getmypid();
        @unlink($stop);
        [$proc, $pipes] = Php::start(__DIR__ . '/scripts/traffic.php', [$this->db->dsn, self::SECRET, $stop]);
        usleep(500000);
        $started = microtime(true);
        $result = $store->purgeExpired();
        $took = microtime(true) - $started;
        usleep(200000);
        touch($stop);
        $traffic = Php::finish($proc, $pipes, 60);
        unlink($stop);

        $this->assertSame(1000000, $result['dsgvo_send_log']);
        $this->assertSame(0, $traffic['exit'], $traffic['stderr']);
        $report = json_decode($traffic['stdout'], true, 4, JSON_THROW_ON_ERROR);
        fwrite(STDERR, sprintf("\n[retention] purged 1,000,000 sends in %.1f s; concurrent traffic: %d calls, slowest %.1f ms\n", $took, $report['calls'], $report['max_ms']));
        $this->assertGreaterThan(100, $report['calls']);
        $this->assertLessThan(1000, $report['max_ms'], 'no call of the other process waited a second');
        $this->assertSame($report['sends'], $this->rows('send_log'), 'every send logged during the purge is still there');
    }
}
