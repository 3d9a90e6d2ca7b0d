<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Erasure on every shop schema: nothing of the customer remains outside the tables the report lists as
 * retained, the other customer is untouched, the address stays suppressed, dry runs count exactly, an
 * interrupted erasure is completed by a re-run.
 */
final class EraseTest extends TestCase
{
    private const SECRET = 'dd62dc9f3a5df73a0b4f8962d18d13ae838136e8e2698082290d31b7e37a8abb';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        return Shop::create($fixture, $preset, $prefix);
    }

    /** Own data for a subject through the API; markers 7001..7009 and IPs 198.51.100.x. */
    private function ownData(Store $store, string $who, int $id, string $email): void
    {
        $ip = $who === 'A' ? '198.51.100.11' : '198.51.100.22';
        $store->grantConsent($id, 'newsletter', ['text' => 'Ja, ich möchte den Newsletter.', 'ip' => $ip, 'user_agent' => "{$who}7002Q"]);
        $send = $store->logSend($id, 'newsletter', ['email' => $email, 'subject' => "{$who}7003Q"]);
        $store->rateEmail($send, 4, "{$who}7004Q");
        $store->archiveEmail($send, "{$who}7005Q", "{$who}7006Q <p>body</p>");
        $store->tag($id, strtolower($who) . '7007q', 'rule');
        $store->optOut($id, 'review', ['actor' => "{$who}7008Q", 'ip' => $ip]);
        $store->optOutEmail($email, 'birthday', ['user_agent' => "{$who}7009Q", 'ip' => $ip]);
    }

    /** @return array<string, list<string>> table => JSON of each row */
    private static function dump(PDO $pdo): array
    {
        $out = [];
        foreach ($pdo->query('SHOW TABLES')->fetchAll(PDO::FETCH_COLUMN) as $table) {
            $rows = [];
            foreach ($pdo->query("SELECT * FROM `$table`")->fetchAll(PDO::FETCH_ASSOC) as $row) {
                $rows[] = json_encode(array_map(function ($v) {
                    return is_string($v) && !mb_check_encoding($v, 'UTF-8') ? bin2hex($v) : $v;
                }, $row), JSON_THROW_ON_ERROR);
            }
            sort($rows);
            $out[$table] = $rows;
        }
        return $out;
    }

    /** @param array<string, list<string>> $dump @return array<string, list<string>> rows of subject B */
    private static function rowsOfB(array $dump): array
    {
        $b = [];
        foreach ($dump as $table => $rows) {
            $b[$table] = array_values(array_filter($rows, function (string $row): bool {
                return preg_match('/B\d+Q|bert@example\.org|b7007q|198\.51\.100\.22|"customers?_id":"?202"?[,}]/', $row) === 1;
            }));
        }
        return $b;
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testNothingOfTheCustomerRemainsOutsideRetainedTables(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $filler = new Filler($shop->db->pdo, $store->dataMap());
            $filler->fill('A', 101, 'anna@example.org');
            $filler->fill('B', 202, 'bert@example.org');
            $this->ownData($store, 'A', 101, 'anna@example.org');
            $this->ownData($store, 'B', 202, 'bert@example.org');
            $before = self::dump($shop->db->pdo);

            $dry = $store->erase(101, ['shop_data' => true, 'dry_run' => true]);
            $this->assertTrue($dry['dry_run']);
            $this->assertSame($before, self::dump($shop->db->pdo), 'a dry run writes nothing');

            $report = $store->erase(101, ['shop_data' => true]);
            $this->assertFalse($report['dry_run']);
            unset($dry['dry_run'], $report['dry_run']);
            $this->assertSame($dry, $report, 'the dry run counted what the real run did');
            $this->assertGreaterThan(0, array_sum($report['removed']));
            $this->assertSame(1, $report['suppressed'], 'one address: anna@example.org');

            $retained = array_column(array_filter($report['retained'], function ($r) {
                return $r['count'] > 0;
            }), 'table');
            $after = self::dump($shop->db->pdo);
            foreach ($after as $table => $rows) {
                $text = implode("\n", $rows);
                $found = preg_match_all('/A\d+Q|anna@example\.org|a7007q|198\.51\.100\.11/i', $text, $m);
                if ($found > 0) {
                    $this->assertContains($table, $retained, "$fixture: $table still holds " . implode(', ', array_unique($m[0])));
                }
            }
            $this->assertSame(self::rowsOfB($before), self::rowsOfB($after), "$fixture: the other customer is untouched");
            $this->assertTrue($store->verifyLedger()['ok'], 'the consent chain still verifies');

            $again = $store->erase(101, ['shop_data' => true]);
            $this->assertSame(0, array_sum($again['removed']) + array_sum($again['anonymized']) + $again['suppressed'], 'a re-run changes nothing');
            $now = self::dump($shop->db->pdo);
            unset($now['dsgvo_request_log'], $after['dsgvo_request_log']);
            $this->assertSame($now, $after, 'a re-run changes nothing (but the request log)');

            // The address stays suppressed, also for an account made later with it.
            $shop->db->pdo->exec("INSERT INTO {$shop->table('customers')} (customers_id, customers_email_address) VALUES (303, 'Anna@Example.org ')");
            $store->grantConsent(303, 'newsletter');
            $this->assertSame('suppressed', $store->maySend(303, 'newsletter')->reason);
            $this->assertFalse($store->optOutEmail('anna@example.org'), 'objecting again is a no-op');
            $store->grantConsent(202, 'newsletter');
            $this->assertNotSame('suppressed', $store->maySend(202, 'newsletter')->reason, 'another address is not');
        } finally {
            $shop->drop();
        }
    }

    public function testOwnRecordsOnlyWithoutShopData(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('carla@example.org');
            $shop->addOrder($id, 'carla.old@example.org', 30);
            $this->ownData($store, 'A', $id, 'carla@example.org');
            $report = $store->erase($id);
            $this->assertSame(['removed', 'anonymized', 'retained', 'suppressed', 'skipped_other_owner', 'dry_run', 'request_id'], array_keys($report));
            $this->assertArrayNotHasKey('customers', $report['removed'], 'shop tables only with shop_data');
            $this->assertSame(1, $report['removed']['dsgvo_send_log']);
            $this->assertSame(2, $report['removed']['dsgvo_opt_outs']);
            $this->assertSame(1, $report['anonymized']['dsgvo_consent_events']);
            $this->assertSame(2, $report['suppressed'], 'the account and the (older) order address');
            $this->assertSame(1, (int) $shop->db->pdo->query('SELECT COUNT(*) FROM customers')->fetchColumn());
            $this->assertSame('suppressed', $store->maySend($id, 'newsletter')->reason, 'the objection outlives the erasure');
            $this->assertNull($store->consentHistory($id)[0]['ip']);
        } finally {
            $shop->drop();
        }
    }

    public function testWithoutAnyAddressTheCustomerIdIsSuppressed(): void
    {
        $db = TestDatabase::create('erase_noaddress');
        try {
            $store = new Store(['dsn' => $db->dsn, 'secret' => self::SECRET]);
            $store->migrate();
            $store->grantConsent(9, 'newsletter');
            $store->optOut(9, 'review');
            $report = $store->erase(9);
            $this->assertSame(1, $report['suppressed']);
            $store->grantConsent(9, 'newsletter');
            $this->assertSame('suppressed', $store->maySend(9, 'newsletter')->reason);
            $this->assertSame(0, $store->erase(9)['suppressed']);
        } finally {
            $db->drop();
        }
    }

    public function testStrategiesCanBeChosenPerShopTable(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET, 'erase_strategies' => ['orders' => 'anonymize']]);
            $store->migrate();
            $id = $shop->addCustomer('dora@example.org');
            $shop->addOrder($id, 'dora@example.org', 4000);
            $report = $store->erase($id, ['shop_data' => true]);
            $this->assertSame(1, $report['anonymized']['orders']);
            $this->assertNotContains('orders', array_column($report['retained'], 'table'));
            $order = $shop->db->pdo->query('SELECT customers_id, customers_email_address, customers_name FROM orders')->fetch(PDO::FETCH_ASSOC);
            $this->assertEquals(['customers_id' => 0, 'customers_email_address' => '', 'customers_name' => 'Anonym'], $order);
            $this->assertSame(0, $store->erase($id, ['shop_data' => true])['anonymized']['orders']);

            $this->expectException(ConfigException::class);
            $shop->store(['erase_strategies' => 'customers_basket=anonymize']);
        } finally {
            $shop->drop();
        }
    }

    public function testAdministratorsAreRefused(): void
    {
        $shop = $this->shop('modified.sql', 'modified', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $shop->db->pdo->exec("INSERT INTO customers (customers_id, customers_status, customers_email_address) VALUES (1, 0, 'admin@shop.example')");
            $this->expectException(InvalidInputException::class);
            $this->expectExceptionMessage('administrator');
            $store->erase(1, ['shop_data' => true]);
        } finally {
            $this->assertSame(1, (int) $shop->db->pdo->query('SELECT COUNT(*) FROM customers')->fetchColumn());
            $shop->drop();
        }
    }

    public function testInvalidCallsWriteNothing(): void
    {
        $db = TestDatabase::create('erase_invalid');
        try {
            $store = new Store(['dsn' => $db->dsn, 'secret' => self::SECRET]);
            $store->migrate();
            $store->grantConsent(5, 'newsletter');
            foreach ([[0, []], [5, ['dryrun' => true]], [5, ['dry_run' => 'yes']]] as [$id, $options]) {
                try {
                    $store->erase($id, $options);
                    $this->fail('accepted ' . json_encode($options));
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
            try {
                $store->erase(5, ['shop_data' => true]);
                $this->fail('shop_data needs a preset');
            } catch (ConfigException $e) {
                $this->assertStringContainsString('dsgvo.shop', $e->getMessage());
            }
            try {
                (new Store(['dsn' => $db->dsn]))->erase(5);
                $this->fail('erasure needs the secret');
            } catch (ConfigException $e) {
                $this->assertStringContainsString('secret', $e->getMessage());
            }
            $this->assertTrue($store->hasConsent(5, 'newsletter'));
            $this->assertSame([], $store->requestLog(['kind' => 'erasure']));
        } finally {
            $db->drop();
        }
    }

    public function testErasuresAreLoggedWithoutPersonalData(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('eve.secret@example.org', 4242);
            $store->erase($id, ['shop_data' => true, 'dry_run' => true]);
            $store->erase($id, ['shop_data' => true]);
            $log = $store->requestLog(['kind' => 'erasure']);
            $this->assertCount(1, $log, 'dry runs are previews, not erasures');
            $this->assertSame('ok', $log[0]['outcome']);
            $this->assertSame(1, $log[0]['summary']['removed']['customers']);
            $raw = json_encode($shop->db->pdo->query('SELECT * FROM dsgvo_request_log')->fetchAll(PDO::FETCH_ASSOC));
            $this->assertStringNotContainsString('4242', $raw);
            $this->assertStringNotContainsString('eve.secret', $raw);
        } finally {
            $shop->drop();
        }
    }

    /** Prepares a shop with two customers' data; the same content every time. */
    private function prepared(string $fixture, string $preset, string $prefix): array
    {
        $shop = Shop::create($fixture, $preset, $prefix);
        $store = $shop->store(['secret' => self::SECRET, 'query_timeout_ms' => 60000]);
        $store->migrate();
        (new Filler($shop->db->pdo, $store->dataMap()))->fill('A', 101, 'anna@example.org');
        $this->ownData($store, 'A', 101, 'anna@example.org');
        $this->ownData($store, 'B', 202, 'bert@example.org');
        return [$shop, $store];
    }

    /** @return array<string, list<string>> the database without times, hashes and salts (they differ run to run) */
    private static function comparable(PDO $pdo): array
    {
        $out = [];
        foreach (self::dump($pdo) as $table => $rows) {
            $out[$table] = array_map(function (string $row): string {
                $values = json_decode($row, true);
                foreach (['created_at', 'occurred_at', 'recorded_at', 'blanked_at', 'sent_at', 'rated_at', 'archived_at', 'set_at',
                    'updated_at', 'granted_at', 'hash', 'prev_hash', 'personal_digest', 'personal_salt', 'last_hash', 'applied_at',
                    'started_at', 'finished_at', 'erased_at', 'value', 'data'] as $volatile) {
                    unset($values[$volatile]);
                }
                return json_encode($values);
            }, $rows);
            sort($out[$table]);
        }
        unset($out['dsgvo_request_log'], $out['dsgvo_counters']);
        return $out;
    }

    public function testAnInterruptedErasureIsCompletedByARerun(): void
    {
        $kinds = Shop::kinds();
        [$fixture, $preset, $prefix] = ShopSchemas::directory() !== null ? $kinds['Zen Cart 2.2.2 with zen_'] : $kinds['minimal osCommerce-style schema'];
        [$reference, $referenceStore] = $this->prepared($fixture, $preset, $prefix);
        [$interrupted, $store] = $this->prepared($fixture, $preset, $prefix);
        try {
            $referenceStore->erase(101, ['shop_data' => true]);

            // Stall the erasure in the middle (address_book comes after the suppression list and the
            // tables found through orders), kill its process there, then run it again.
            $lock = TestDatabase::pdo($interrupted->db->name);
            $lock->exec("LOCK TABLES {$interrupted->table('address_book')} WRITE");
            $script = tempnam(sys_get_temp_dir(), 'dsgvo-erase') . '.php';
            file_put_contents($script, '<?php (new Dsgvo\Store(' . var_export([
                'dsn' => $interrupted->db->dsn, 'secret' => self::SECRET, 'shop' => $preset, 'shop_table_prefix' => $prefix, 'query_timeout_ms' => 60000,
            ], true) . '))->erase(101, ["shop_data" => true]); echo "finished";');
            [$proc, $pipes] = Php::start($script);
            $waiting = false;
            for ($i = 0; $i < 200 && !$waiting; $i++) {
                usleep(50000);
                $q = TestDatabase::pdo()->prepare("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE LIKE 'Waiting for%lock%'");
                $q->execute([$interrupted->db->name]);
                $waiting = (int) $q->fetchColumn() > 0;
            }
            $this->assertTrue($waiting, 'the erasure reached the locked table');
            proc_terminate($proc, 9);
            $result = Php::finish($proc, $pipes, 10);
            unlink($script);
            $this->assertStringNotContainsString('finished', $result['stdout']);
            $lock->exec('UNLOCK TABLES');
            $lock = null;

            $this->assertSame('suppressed', $store->maySend(101, 'newsletter')->reason, 'committed before the first deletion');
            $store->erase(101, ['shop_data' => true]);
            $this->assertSame(self::comparable($reference->db->pdo), self::comparable($interrupted->db->pdo));
        } finally {
            $reference->drop();
            $interrupted->drop();
        }
    }
}
