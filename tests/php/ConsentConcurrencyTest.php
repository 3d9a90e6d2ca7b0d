<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\TestCase;

/**
 * Four PHP processes append to the ledger at once (500 grants/revokes/requests each, plus the
 * confirmations they make of their own requests). The chain stays one verified line, no event is
 * lost, and every current state is what the customer's events for that purpose add up to.
 */
final class ConsentConcurrencyTest extends TestCase
{
    private const SECRET = 'f2db5f07ad21f492808148ada476c8b0c44472a12192e501f350a9ea72288c13';

    public function testFourProcessesAtOnce(): void
    {
        $db = TestDatabase::create('consent_load');
        try {
            (new Store(['dsn' => $db->dsn]))->migrate();
            $go = sys_get_temp_dir() . '/dsgvo-go-' . getmypid() . '-' . mt_rand();
            $workers = [];
            for ($w = 0; $w < 4; $w++) {
                $workers[] = Php::start(__DIR__ . '/scripts/consent_workload.php', [$db->dsn, self::SECRET, (string) (1000 + $w), '500', $go]);
            }
            usleep(300000);
            touch($go);
            $confirms = 0;
            foreach ($workers as [$proc, $pipes]) {
                $result = Php::finish($proc, $pipes, 120);
                $this->assertFalse($result['timed_out']);
                $this->assertSame(0, $result['exit'], $result['stderr']);
                $this->assertSame('', $result['stderr']);
                $report = json_decode($result['stdout'], true, 4, JSON_THROW_ON_ERROR);
                $this->assertSame(500, $report['ops']);
                $confirms += $report['confirms'];
            }
            unlink($go);
            $this->assertGreaterThan(0, $confirms);

            $store = new Store(['dsn' => $db->dsn, 'secret' => self::SECRET]);
            $this->assertSame(['ok' => true, 'events' => 2000 + $confirms, 'first_bad_id' => null], $store->verifyLedger());

            // Fold every customer's events per purpose in ledger order, with the extension's rules.
            $expected = [];
            $events = $db->pdo->query('SELECT id, customer_id, purpose, action FROM dsgvo_consent_events ORDER BY id');
            foreach ($events->fetchAll(PDO::FETCH_ASSOC) as $e) {
                $key = $e['customer_id'] . '/' . $e['purpose'];
                $current = $expected[$key]['status'] ?? null;
                switch ($e['action']) {
                    case 'granted':
                    case 'confirmed':
                        $status = 'granted';
                        break;
                    case 'revoked':
                        $status = 'revoked';
                        break;
                    default: // requested: does not suspend a consent in force
                        $status = $current === 'granted' ? 'granted' : 'pending';
                }
                $expected[$key] = ['status' => $status, 'event_id' => (int) $e['id']];
            }
            $actual = [];
            foreach ($db->pdo->query('SELECT customer_id, purpose, status, event_id FROM dsgvo_consent_state') as $row) {
                $actual[$row['customer_id'] . '/' . $row['purpose']] = ['status' => $row['status'], 'event_id' => (int) $row['event_id']];
            }
            ksort($expected);
            ksort($actual);
            $this->assertSame($expected, $actual);
            foreach ($expected as $key => $state) {
                [$customer, $purpose] = explode('/', $key);
                $this->assertSame($state['status'] === 'granted', $store->hasConsent((int) $customer, $purpose), $key);
            }
        } finally {
            $db->drop();
        }
    }
}
