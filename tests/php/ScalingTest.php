<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\DatabaseException;
use Dsgvo\InvalidInputException;
use Dsgvo\OutcomeUnknownException;
use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/**
 * What keeps a shop correct past one database server, tested on one server: idempotency keys, the
 * read_your_writes option, conflicts retried inside the call, and a commit whose answer was lost.
 * The cluster itself is tested by tests/cluster/run.php (scripts/galera).
 */
final class ScalingTest extends TestCase
{
    private const SECRET = '5d1c0e8a2f7b4c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7';

    /** @var TestDatabase */
    private $db;

    protected function setUp(): void
    {
        $this->db = TestDatabase::create('scaling');
        (new Store(['dsn' => $this->db->dsn]))->migrate();
    }

    protected function tearDown(): void
    {
        $this->db->drop();
    }

    private function store(array $options = []): Store
    {
        return new Store(['dsn' => $this->db->dsn, 'secret' => self::SECRET] + $options);
    }

    private function rows(string $table): int
    {
        return (int) $this->db->pdo->query("SELECT COUNT(*) FROM dsgvo_$table")->fetchColumn();
    }

    public function testTheSameIdempotencyKeyReturnsTheFirstResultAndWritesNothing(): void
    {
        $store = $this->store();
        $grant = $store->grantConsent(1, 'newsletter', ['idempotency_key' => 'grant-1']);
        $this->assertSame($grant, $store->grantConsent(1, 'newsletter', ['idempotency_key' => 'grant-1', 'ip' => '192.0.2.1']));
        $revoke = $store->revokeConsent(1, 'newsletter', ['idempotency_key' => 'revoke-1']);
        $this->assertSame($revoke, $store->revokeConsent(1, 'newsletter', ['idempotency_key' => 'revoke-1']));
        $this->assertSame(2, $this->rows('consent_events'));
        $this->assertSame(['ok' => true, 'events' => 2, 'first_bad_id' => null], $store->verifyLedger());

        $this->assertTrue($store->optOut(2, '*', ['idempotency_key' => 'oo-2']));
        $this->assertTrue($store->optOut(2, '*', ['idempotency_key' => 'oo-2']), 'the first answer, not "nothing new"');
        $this->assertFalse($store->optOut(2, '*'), 'without a key: nothing new');
        $this->assertSame(1, $this->rows('opt_outs'));

        $this->assertTrue($store->optOutEmail('Someone@Example.org', '*', ['idempotency_key' => 'ooe-1']));
        $this->assertTrue($store->optOutEmail('someone@example.org', '*', ['idempotency_key' => 'ooe-1']));
        $this->assertSame(1, $this->rows('suppressions'));

        $send = $store->logSend(3, 'newsletter', ['idempotency_key' => 'send-3', 'subject' => 'Hello']);
        $this->assertSame($send, $store->logSend(3, 'newsletter', ['idempotency_key' => 'send-3', 'subject' => 'Hello']));
        $this->assertSame(1, $this->rows('send_log'));
        $this->assertSame(5, $this->rows('idempotency_keys'));
    }

    public function testAKeyStandsForOneCallAndIsValidated(): void
    {
        $store = $this->store();
        $store->grantConsent(1, 'newsletter', ['idempotency_key' => 'k1']);
        try {
            $store->logSend(1, 'newsletter', ['idempotency_key' => 'k1']);
            $this->fail('a key of grantConsent reused by logSend');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString('grantConsent', $e->getMessage());
        }
        foreach (['', str_repeat('x', 65), 'with space', "tab\t"] as $bad) {
            try {
                $store->grantConsent(1, 'newsletter', ['idempotency_key' => $bad]);
                $this->fail('accepted ' . json_encode($bad));
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString('idempotency_key', $e->getMessage());
            }
        }
        $this->assertSame(1, $store->grantConsent(2, 'newsletter', ['idempotency_key' => str_repeat('y', 64)]) > 0 ? 1 : 0);
        $token = $store->unsubscribeToken(1, '*');
        $this->expectException(InvalidInputException::class);
        $store->unsubscribe($token, ['idempotency_key' => 'u1']);
    }

    public function testReadYourWritesIsAcceptedAsOptionAndIni(): void
    {
        foreach ([true, '1', 'on', false, 0] as $customer => $value) {
            $store = $this->store(['read_your_writes' => $value]);
            $this->assertSame('no_consent', $store->maySend($customer + 1, 'newsletter')->reason);
            $store->grantConsent($customer + 1, 'newsletter');
            $this->assertTrue($store->maySend($customer + 1, 'newsletter')->allowed);
        }
        try {
            $this->store(['read_your_writes' => 'maybe']);
            $this->fail('accepted read_your_writes=maybe');
        } catch (ConfigException $e) {
            $this->assertStringContainsString('read_your_writes', $e->getMessage());
        }
        $this->assertSame('0', ini_get('dsgvo.read_your_writes'));
        ini_set('dsgvo.read_your_writes', '1');
        try {
            $this->assertTrue((new Store(['dsn' => $this->db->dsn]))->ping());
        } finally {
            ini_restore('dsgvo.read_your_writes');
        }
    }

    /**
     * A deadlock (1213) inside grantConsent is retried inside the call: a child process's grant holds
     * its idempotency key and waits for the chain head, which this test's connection holds while it
     * then asks for the same key. InnoDB aborts the transaction that changed less: the grant's.
     */
    public function testADeadlockIsRetriedInsideTheCall(): void
    {
        $pdo = $this->db->pdo;
        $pdo->exec('CREATE TABLE ballast (id INT PRIMARY KEY) ENGINE=InnoDB');
        $deadlocks = function () use ($pdo): int {
            return (int) $pdo->query("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_DEADLOCKS'")->fetchColumn();
        };
        $before = $deadlocks();
        $pdo->beginTransaction();
        // Heavier than the grant, so the grant is the deadlock's victim.
        $pdo->exec('INSERT INTO ballast (id) SELECT seq FROM seq_1_to_500');
        $pdo->query('SELECT * FROM dsgvo_consent_chain_head WHERE id = 1 FOR UPDATE')->fetchAll();
        [$proc, $pipes] = Php::start(__DIR__ . '/scripts/keyed_grant.php', [$this->db->dsn, 'deadlock-1']);
        // The child claims its key, then waits for the head (a loaded server may take a while).
        $waiting = TestDatabase::pdo()->prepare(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST
             WHERE DB = ? AND INFO LIKE '%consent_chain_head%FOR UPDATE%' AND ID <> CONNECTION_ID()"
        );
        $claimed = false;
        for ($i = 0; $i < 600 && !$claimed && proc_get_status($proc)['running']; $i++) {
            usleep(50000);
            $waiting->execute([$this->db->name]);
            $claimed = (int) $waiting->fetchColumn() > 0;
        }
        if (!$claimed) {
            $pdo->rollBack();
            $this->fail('the grant did not wait for the chain head: ' . json_encode(Php::finish($proc, $pipes, 30)));
        }
        // Waits for the child's key row: a cycle; InnoDB rolls the child back, which runs again.
        $pdo->exec("INSERT INTO dsgvo_idempotency_keys (idem_key, call_name, created_at) VALUES ('deadlock-1', 'grantConsent', UTC_TIMESTAMP(6))");
        $pdo->rollBack();
        $result = Php::finish($proc, $pipes, 30);
        $this->assertSame('', $result['stderr']);
        $out = json_decode($result['stdout'], true, 4, JSON_THROW_ON_ERROR);
        $this->assertArrayHasKey('id', $out, $result['stdout']);
        $this->assertGreaterThan($before, $deadlocks(), 'a deadlock happened');
        $store = $this->store();
        $this->assertTrue($store->hasConsent(7, 'newsletter'));
        $this->assertSame($out['id'], $store->grantConsent(7, 'newsletter', ['idempotency_key' => 'deadlock-1']));
        $this->assertSame(1, $this->rows('consent_events'));
    }

    /**
     * The server commits, the answer is lost (a proxy swallows it): OutcomeUnknownException, a
     * DatabaseException whose message says to retry with the same key; the retry returns the first id.
     */
    public function testALostCommitAnswerIsOutcomeUnknownAndTheKeyMakesTheRetrySafe(): void
    {
        $parts = TestDatabase::parts($this->db->dsn);
        [$proc, $pipes] = Php::start(__DIR__ . '/scripts/commit_blackhole.php', [$parts['host'], (string) $parts['port']], false);
        $port = (int) trim((string) fgets($pipes[1]));
        try {
            // prefer_socket=false: else the driver leaves the proxy for the server's local socket.
            $dsn = preg_replace('/:\d+\//', ":$port/", $this->db->dsn, 1) . '?prefer_socket=false';
            $store = new Store(['dsn' => $dsn, 'query_timeout_ms' => 1000]);
            try {
                $store->grantConsent(9, 'newsletter', ['idempotency_key' => 'lost-1']);
                $this->fail('expected OutcomeUnknownException');
            } catch (OutcomeUnknownException $e) {
                $this->assertInstanceOf(DatabaseException::class, $e);
                $this->assertStringContainsString('same idempotency_key', $e->getMessage());
            }
            $this->assertSame(1, $this->rows('consent_events'), 'the commit did happen');
            $id = $store->grantConsent(9, 'newsletter', ['idempotency_key' => 'lost-1']);
            $this->assertSame((int) $this->db->pdo->query('SELECT id FROM dsgvo_consent_events')->fetchColumn(), $id);
            $this->assertSame(1, $this->rows('consent_events'), 'the retry wrote nothing');
        } finally {
            proc_terminate($proc);
            Php::finish($proc, $pipes, 5);
        }
    }

    /**
     * On one server an objection by address moves the one catalog row, which every decision reads by its key
     * (that decisions then see the objection is UnsubscribeTest's and ConsentAddressTest's); the rows per
     * address, summed, are for Galera nodes only (tests/cluster: objections from three nodes at once).
     */
    public function testObjectionsByAddressMoveTheCatalogRowOnOneServer(): void
    {
        $store = $this->store();
        $before = (int) $this->db->pdo->query("SELECT value FROM dsgvo_counters WHERE name = 'catalog'")->fetchColumn();
        for ($i = 0; $i < 20; $i++) {
            $store->optOutEmail("person$i@example.org");
        }
        $this->assertSame(0, (int) $this->db->pdo->query("SELECT COUNT(*) FROM dsgvo_counters WHERE name LIKE 'catalog.%'")->fetchColumn());
        $this->assertSame($before + 20, (int) $this->db->pdo->query("SELECT value FROM dsgvo_counters WHERE name = 'catalog'")->fetchColumn());
    }
}
