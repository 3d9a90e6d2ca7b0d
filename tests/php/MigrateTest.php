<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\TestCase;

/** migrate() creates the own tables, changes nothing when repeated, and survives concurrent callers. */
final class MigrateTest extends TestCase
{
    /** The schema version this build migrates to. */
    private const LATEST = 7;

    /** The migrations this build has. */
    private const VERSIONS = [1, 2, 3, 4, 5, 6, 7];

    private const OWN_TABLES = [
        'consent_chain_head', 'consent_events', 'consent_state', 'consent_texts', 'counters', 'email_archive', 'email_archive_chunks',
        'email_ratings', 'email_types', 'idempotency_keys', 'opt_outs', 'pending_erasures', 'recommendations', 'recommendation_pairs', 'request_log', 'restrictions', 'schema_version', 'send_log', 'suppressions', 'tags', 'tag_rules',
    ];

    /** @var TestDatabase */
    private $db;

    protected function setUp(): void
    {
        $this->db = TestDatabase::create('migrate');
    }

    protected function tearDown(): void
    {
        $this->db->drop();
    }

    /** @return array<string, string> table => SHOW CREATE TABLE, plus the version rows */
    private function schema(): array
    {
        $out = [];
        foreach ($this->db->tables() as $table) {
            $out[$table] = $this->db->pdo->query("SHOW CREATE TABLE `$table`")->fetch(PDO::FETCH_NUM)[1];
        }
        foreach ($this->db->pdo->query('SELECT * FROM dsgvo_schema_version') as $row) {
            $out['version ' . $row['version']] = $row['applied_at'] . ' ' . $row['extension_version'];
        }
        return $out;
    }

    public function testCreatesTheOwnTablesAsInnoDbUtf8mb4(): void
    {
        $store = new Store(['dsn' => $this->db->dsn]);
        $this->assertSame(self::LATEST, $store->migrate());

        $rows = $this->db->pdo->query(
            'SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME'
        )->fetchAll(PDO::FETCH_ASSOC);
        $this->assertSame(array_map(function (string $t): string {
            return 'dsgvo_' . $t;
        }, self::OWN_TABLES), array_column($rows, 'TABLE_NAME'));
        foreach ($rows as $row) {
            $this->assertSame('InnoDB', $row['ENGINE'], $row['TABLE_NAME']);
            $this->assertStringStartsWith('utf8mb4', $row['TABLE_COLLATION'], $row['TABLE_NAME']);
        }
    }

    public function testRunningItTwiceChangesNothing(): void
    {
        $store = new Store(['dsn' => $this->db->dsn]);
        $store->migrate();
        $before = $this->schema();
        $this->assertSame(self::LATEST, $store->migrate());
        $this->assertSame(self::LATEST, (new Store(['dsn' => $this->db->dsn]))->migrate());
        $this->assertSame($before, $this->schema());
    }

    public function testUpgradesASchemaAtVersionOneInPlace(): void
    {
        $store = new Store(['dsn' => $this->db->dsn]);
        $store->migrate();
        $store->grantConsent(7, 'newsletter', ['ip' => '192.0.2.7']);
        $store->defineEmailType('newsletter', 'consent');
        // Back to version 1 as it was released: no address columns, no type options, no request columns, later
        // versions not recorded.
        $this->db->pdo->exec('ALTER TABLE dsgvo_consent_events DROP COLUMN email');
        $this->db->pdo->exec('ALTER TABLE dsgvo_consent_state DROP COLUMN email');
        $this->db->pdo->exec('ALTER TABLE dsgvo_email_types DROP COLUMN options');
        $this->db->pdo->exec('ALTER TABLE dsgvo_request_log DROP COLUMN subject_customer_id, DROP COLUMN subject_email,
            DROP COLUMN identity_verified, DROP COLUMN note, DROP COLUMN extended_at, DROP COLUMN extension_reason');
        $this->db->pdo->exec('DELETE FROM dsgvo_schema_version WHERE version >= 2');

        $this->assertSame(self::LATEST, $store->migrate());
        $columns = $this->db->pdo->query(
            "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'email'
             AND TABLE_NAME IN ('dsgvo_consent_events', 'dsgvo_consent_state') ORDER BY TABLE_NAME"
        )->fetchAll(PDO::FETCH_COLUMN);
        $this->assertSame(['dsgvo_consent_events', 'dsgvo_consent_state'], $columns);
        $this->assertTrue($store->verifyLedger()['ok'], 'events of version 1 still verify');
        $this->assertTrue($store->hasConsent(7, 'newsletter'), 'a consent without a recorded address keeps counting');
        $this->assertNull($store->consentHistory(7)[0]['email']);
        $this->assertSame('any', $store->emailTypes()[0]['consent'], 'a type of version 1 reads with the default options');
        $this->assertGreaterThan(0, $store->registerRequest('access', 7), 'the request columns are back');
        $this->assertSame(self::LATEST, $store->migrate(), 'and again: nothing to do');
    }

    public function testTablePrefixIsApplied(): void
    {
        (new Store(['dsn' => $this->db->dsn, 'table_prefix' => 'gdpr_']))->migrate();
        foreach ($this->db->tables() as $table) {
            $this->assertStringStartsWith('gdpr_', $table);
        }
        $this->assertCount(count(self::OWN_TABLES), $this->db->tables());
    }

    public function testProcessesMigratingAtOnceAllSucceed(): void
    {
        $go = tempnam(sys_get_temp_dir(), 'dsgvo-go');
        unlink($go);
        $procs = [];
        for ($i = 0; $i < 4; $i++) {
            $procs[] = Php::start(__DIR__ . '/scripts/migrate.php', [$this->db->dsn, $go]);
        }
        usleep(300000); // let all four load PHP and wait at the start line
        touch($go);
        foreach ($procs as [$proc, $pipes]) {
            $result = Php::finish($proc, $pipes, 60);
            $this->assertFalse($result['timed_out']);
            $this->assertSame(0, $result['exit'], $result['stderr']);
            $this->assertSame('', $result['stderr']);
            $this->assertSame((string) self::LATEST, trim($result['stdout']));
        }
        unlink($go);
        $versions = $this->db->pdo->query('SELECT version FROM dsgvo_schema_version')->fetchAll(PDO::FETCH_COLUMN);
        $this->assertSame(array_map('strval', self::VERSIONS), array_map('strval', $versions));
        $this->assertCount(count(self::OWN_TABLES), $this->db->tables());
    }
}
