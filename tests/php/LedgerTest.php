<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** verifyLedger() detects tampering done behind the extension's back, and names the first bad event. */
final class LedgerTest extends TestCase
{
    /** @var TestDatabase */
    private $db;
    /** @var Store */
    private $store;

    protected function setUp(): void
    {
        $this->db = TestDatabase::create('ledger');
        $this->store = new Store(['dsn' => $this->db->dsn, 'secret' => '6780521b90fbf6cc7f6342c2a293d74ee9763417494790a7cbdcd28f38c9a89a']);
        $this->store->migrate();
        // Six events: 1 grant, 2 grant (with text), 3 request, 4 confirm, 5 revoke, 6 grant.
        $this->store->grantConsent(1, 'newsletter', ['source' => 'checkout', 'ip' => '192.0.2.1']);
        $this->store->grantConsent(2, 'newsletter', ['text' => 'Ja, bitte.', 'user_agent' => 'UA']);
        $token = $this->store->requestConsent(3, 'review.request', ['ip' => '2001:db8::3']);
        $this->store->confirmConsent($token, ['ip' => '2001:db8::4']);
        $this->store->revokeConsent(1, 'newsletter', ['actor' => 'admin:jo']);
        $this->store->grantConsent(4, 'birthday');
    }

    protected function tearDown(): void
    {
        $this->db->drop();
    }

    private function tamper(string $sql): void
    {
        $this->db->pdo->exec(str_replace('{e}', 'dsgvo_consent_events', $sql));
    }

    public function testAnIntactLedgerVerifies(): void
    {
        $this->assertSame(['ok' => true, 'events' => 6, 'first_bad_id' => null], $this->store->verifyLedger());
    }

    public function testAnEmptyLedgerVerifies(): void
    {
        $db = TestDatabase::create('ledger_empty');
        try {
            $store = new Store(['dsn' => $db->dsn]);
            $store->migrate();
            $this->assertSame(['ok' => true, 'events' => 0, 'first_bad_id' => null], $store->verifyLedger());
        } finally {
            $db->drop();
        }
    }

    /** @return array<string, array{0: string, 1: int, 2: int}> sql, first bad id, events left */
    public static function tampering(): array
    {
        return [
            'edited purpose' => ["UPDATE {e} SET purpose = 'all' WHERE id = 2", 2, 6],
            'edited customer' => ['UPDATE {e} SET customer_id = 99 WHERE id = 3', 3, 6],
            'edited action' => ["UPDATE {e} SET action = 'granted' WHERE id = 5", 5, 6],
            'edited time' => ['UPDATE {e} SET occurred_at = occurred_at - INTERVAL 1 DAY WHERE id = 4', 4, 6],
            'edited ip' => ["UPDATE {e} SET ip = '198.51.100.1' WHERE id = 1", 1, 6],
            'edited user agent' => ["UPDATE {e} SET user_agent = 'other' WHERE id = 2", 2, 6],
            'edited request link' => ['UPDATE {e} SET request_id = 2 WHERE id = 4', 4, 6],
            'edited hash' => ['UPDATE {e} SET hash = UNHEX(SHA2(\'x\', 256)) WHERE id = 3', 3, 6],
            'edited prev_hash' => ['UPDATE {e} SET prev_hash = UNHEX(SHA2(\'x\', 256)) WHERE id = 5', 5, 6],
            'deleted event' => ['DELETE FROM {e} WHERE id = 3', 4, 5],
            'deleted first event' => ['DELETE FROM {e} WHERE id = 1', 2, 5],
            'deleted last event' => ['DELETE FROM {e} WHERE id = 6', 6, 5],
            'swapped events' => ['UPDATE {e} SET id = 0 WHERE id = 2; UPDATE {e} SET id = 2 WHERE id = 3; UPDATE {e} SET id = 3 WHERE id = 0', 2, 6],
            'personal fields blanked without the salt' => ['UPDATE {e} SET ip = NULL, blanked_at = NOW(6) WHERE id = 1', 1, 6],
            'edited consent text' => ["UPDATE dsgvo_consent_texts SET text = 'Nein.'", 2, 6],
            'deleted consent text' => ['DELETE FROM dsgvo_consent_texts', 2, 6],
            'forged event appended' => ["INSERT INTO {e} SELECT 7, customer_id, purpose, action, request_id, source, text_hash, text_version, ip, user_agent, actor, personal_salt, personal_digest, occurred_at, recorded_at, blanked_at, hash, hash, email FROM {e} WHERE id = 6", 7, 7],
        ];
    }

    /** @dataProvider tampering */
    #[DataProvider('tampering')]
    public function testTamperingIsDetected(string $sql, int $firstBad, int $events): void
    {
        $this->tamper($sql);
        $this->assertSame(['ok' => false, 'events' => $events, 'first_bad_id' => $firstBad], $this->store->verifyLedger());
    }

    public function testBlankingPersonalFieldsTheWayErasureDoesKeepsTheChainValid(): void
    {
        $this->tamper('UPDATE {e} SET ip = NULL, user_agent = NULL, actor = NULL, personal_salt = NULL, blanked_at = UTC_TIMESTAMP(6) WHERE customer_id IN (1, 2)');
        $this->assertSame(['ok' => true, 'events' => 6, 'first_bad_id' => null], $this->store->verifyLedger());
        $this->assertNull($this->store->consentHistory(1)[0]['ip']);
    }

    public function testLongChainsAreWalkedInBatches(): void
    {
        for ($i = 0; $i < 1100; $i++) {
            $this->store->grantConsent(1000 + $i % 50, 'newsletter');
        }
        $this->assertSame(['ok' => true, 'events' => 1106, 'first_bad_id' => null], $this->store->verifyLedger());
        $this->tamper("UPDATE {e} SET purpose = 'x' WHERE id = 1050");
        $this->assertSame(1050, $this->store->verifyLedger()['first_bad_id']);
    }

    public function testEventIdsAreConsecutive(): void
    {
        $ids = $this->db->pdo->query('SELECT id FROM dsgvo_consent_events ORDER BY id')->fetchAll(PDO::FETCH_COLUMN);
        $this->assertSame(range(1, 6), array_map('intval', $ids));
    }
}
