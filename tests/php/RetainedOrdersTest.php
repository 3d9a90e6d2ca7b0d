<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Retained data has an end (issue 16, acceptance 5): orders and what belongs to them are kept 8 years from the
 * end of the calendar year of date_purchased (§ 147 Abs. 1 Nr. 4, Abs. 4 AO), then erased. erase() deletes what
 * has expired and reports retained_until for the rest; purgeExpired(['erasures' => true]) finishes the rest once
 * its date has passed. Dates are moved in the database (the shop's clock is the database's).
 */
final class RetainedOrdersTest extends TestCase
{
    private const SECRET = '36958ffe13ab0708cde9e3f28c527b3f41322b782bf0b3b0f6dc032a8fdf02ff';
    private const CARD = '4111111111111111';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::ownOsCommerceAndZenCart();
    }

    private const ERIKA = ['id' => 11, 'first' => 'Erika', 'last' => 'Mustermann', 'email' => 'erika@example.org',
        'street' => 'Teststraße 5', 'postcode' => '10115', 'city' => 'Berlin', 'phone' => '030 1234567'];

    /** An order of $customerId (0: guest) dated $sql (an SQL date expression on the database's clock). */
    private function order(Shop $shop, ShopRows $rows, int $orderId, int $customerId, string $email, string $sql, string $card = ''): void
    {
        $rows->order('A', $orderId, $customerId, $email, self::ERIKA, 1, [7 => 'Teekanne', 8 => 'Tasse']);
        $set = "date_purchased = $sql";
        if ($rows->hasColumn('orders', 'cc_number')) {
            $set .= ', cc_number = ' . $shop->db->pdo->quote($card) . ", cc_owner = 'Erika Mustermann'";
        }
        $shop->db->pdo->exec("UPDATE {$shop->table('orders')} SET $set WHERE orders_id = $orderId");
    }

    private function rowsIn(Shop $shop, string $table, string $where): int
    {
        return (int) $shop->db->pdo->query("SELECT COUNT(*) FROM {$shop->table($table)} WHERE $where")->fetchColumn();
    }

    private function year(Shop $shop, int $back): int
    {
        return (int) $shop->db->pdo->query("SELECT YEAR(CURDATE()) - $back")->fetchColumn();
    }

    /** @return array<string, mixed> the report's retained entry of $table */
    private static function retained(array $report, string $table): array
    {
        foreach ($report['retained'] as $entry) {
            if ($entry['table'] === $table) {
                return $entry;
            }
        }
        self::fail("no retained entry for $table");
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testAnElevenYearOldOrderIsErasedAndAYoungerOneWaitsForItsEnd(string $fixture, string $preset, string $prefix): void
    {
        $shop = Shop::createOrSkip($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $rows = new ShopRows($shop);
            $pdo = $shop->db->pdo;
            if ($rows->has('address_book')) {
                $rows->account('A', self::ERIKA);
            } else {
                $shop->addCustomer(self::ERIKA['email'], 11);
            }
            // The issue's finding: an 11-year-old order, with card number and phone.
            $this->order($shop, $rows, 501, 11, 'erika@example.org', 'NOW() - INTERVAL 11 YEAR', self::CARD);
            // Its period ended last New Year's Eve: erased too. Dated 1 January, nine years back.
            $this->order($shop, $rows, 502, 11, 'Erika@Example.org ', "CONCAT(YEAR(CURDATE()) - 9, '-01-01 10:00:00')");
            // Its period ends this New Year's Eve: kept.
            $this->order($shop, $rows, 503, 11, 'erika@example.org', "CONCAT(YEAR(CURDATE()) - 8, '-12-31 23:59:00')");
            $this->order($shop, $rows, 504, 11, 'erika@example.org', 'NOW() - INTERVAL 2 YEAR');
            // A guest order with her address, 11 years old, and one 3 years old.
            $this->order($shop, $rows, 505, 0, 'erika@example.org', 'NOW() - INTERVAL 11 YEAR', self::CARD);
            $this->order($shop, $rows, 506, 0, 'erika@example.org', 'NOW() - INTERVAL 3 YEAR');
            // Another customer's 11-year-old order is none of her business.
            $rows->order('B', 601, 22, 'other@example.org', ['first' => 'Otto', 'last' => 'Normal', 'street' => 'Weg 1',
                'postcode' => '20095', 'city' => 'Hamburg', 'phone' => '040 999'], 1, [7 => 'Teekanne']);
            $pdo->exec("UPDATE {$shop->table('orders')} SET date_purchased = NOW() - INTERVAL 11 YEAR WHERE orders_id = 601");
            // A zero date (lax shops write them): nobody can tell when its period ends, so it is kept.
            $this->order($shop, $rows, 507, 11, 'erika@example.org', "'0000-00-00 00:00:00'");

            $orders = $prefix . 'orders';
            $products = $prefix . 'orders_products';
            $dry = $store->erase(11, ['shop_data' => true, 'dry_run' => true]);
            $this->assertSame(7, $this->rowsIn($shop, 'orders', 'orders_id BETWEEN 501 AND 507'), 'a dry run deletes nothing');
            $report = $store->erase(11, ['shop_data' => true]);
            unset($dry['dry_run'], $report['dry_run']);
            $this->assertSame($dry, $report, 'the dry run counted what the real run did');

            $this->assertSame(3, $report['removed'][$orders], 'the orders whose period has ended: 501, 502, 505');
            $this->assertSame(6, $report['removed'][$products], 'with their products');
            $this->assertSame(0, $this->rowsIn($shop, 'orders', 'orders_id IN (501, 502, 505)'));
            $this->assertSame(0, $this->rowsIn($shop, 'orders_products', 'orders_id IN (501, 502, 505)'));
            // Each table only where the schema has it (the minimal one has totals but no status history).
            if ($rows->has('orders_total')) {
                $this->assertSame(0, $this->rowsIn($shop, 'orders_total', 'orders_id IN (501, 502, 505)'), 'totals follow their order');
            }
            if ($rows->has('orders_status_history')) {
                $this->assertSame(0, $this->rowsIn($shop, 'orders_status_history', 'orders_id IN (501, 502, 505)'), 'history follows its order');
            }
            $this->assertSame(1, $this->rowsIn($shop, 'orders', 'orders_id = 601'), "another customer's order stays");
            $this->assertSame(4, $this->rowsIn($shop, 'orders', 'orders_id IN (503, 504, 506, 507)'));

            $kept = self::retained($report, $orders);
            $this->assertSame(4, $kept['count']);
            $this->assertSame(8, $kept['years']);
            $this->assertStringContainsString('§ 147 Abs. 1 Nr. 4', $kept['norm']);
            $newest = (int) $pdo->query("SELECT MAX(YEAR(date_purchased)) FROM {$shop->table('orders')} WHERE orders_id IN (504, 506)")->fetchColumn();
            $this->assertSame(($newest + 8) . '-12-31', $kept['retained_until'], 'kept until the end of the newest order\'s year plus 8');
            $this->assertSame(self::retained($report, $products)['retained_until'], $kept['retained_until'], 'products follow their order');

            // Nothing of the expired orders is left anywhere, the card number least of all.
            if ($rows->hasColumn('orders', 'cc_number')) {
                $this->assertSame(0, $this->rowsIn($shop, 'orders', "cc_number = '" . self::CARD . "'"));
            }
            // The customer waits as a pending erasure, with the day the last retained row ends.
            $pending = $pdo->query('SELECT customer_id, retained_until FROM dsgvo_pending_erasures')->fetchAll(PDO::FETCH_ASSOC);
            $this->assertEquals([['customer_id' => 11, 'retained_until' => $kept['retained_until']]], $pending);

            // Nothing has expired since: purgeExpired finishes nothing yet.
            $now = $store->purgeExpired(['erasures' => true]);
            $this->assertSame(0, $now[$orders]);
            $this->assertSame(['erasures_completed' => 0, 'erasures_pending' => 1, 'erasures_skipped' => 0],
                array_slice($now, -3, 3, true));

            // Time passes: 503 reaches its end (moved a year back) and the guest order 506 too. The account and
            // its own orders' addresses are gone for 506: the address noted at the erasure still finds it.
            $pdo->exec("UPDATE {$shop->table('orders')} SET date_purchased = date_purchased - INTERVAL 1 YEAR WHERE orders_id = 503");
            $pdo->exec("UPDATE {$shop->table('orders')} SET date_purchased = NOW() - INTERVAL 10 YEAR WHERE orders_id = 506");
            $dryPurge = $store->purgeExpired(['erasures' => true, 'dry_run' => true]);
            $this->assertSame(2, $dryPurge[$orders]);
            $this->assertSame(4, $this->rowsIn($shop, 'orders', 'orders_id IN (503, 504, 506, 507)'), 'a dry run deletes nothing');
            $purged = $store->purgeExpired(['erasures' => true]);
            $this->assertSame(2, $purged[$orders]);
            $this->assertSame(4, $purged[$products]);
            $this->assertSame(1, $purged['erasures_pending'], '504 and the undated 507 still wait');
            $this->assertSame(0, $this->rowsIn($shop, 'orders', 'orders_id IN (503, 506)'));

            // 504's end passes too; the zero-dated 507 is kept for good (reported, never guessed).
            $pdo->exec("UPDATE {$shop->table('orders')} SET date_purchased = NOW() - INTERVAL 9 YEAR WHERE orders_id = 504");
            $this->assertSame(1, $store->purgeExpired(['erasures' => true])[$orders]);
            $this->assertSame(1, $this->rowsIn($shop, 'orders', 'orders_id = 507'));
            $again = $store->erase(11, ['shop_data' => true]);
            $this->assertSame(1, self::retained($again, $orders)['count']);
            $this->assertNull(self::retained($again, $orders)['retained_until'], 'no date, no end date');

            // Without the undated order nothing waits: the pending erasure is complete and gone.
            $pdo->exec("UPDATE {$shop->table('orders')} SET date_purchased = NOW() - INTERVAL 12 YEAR WHERE orders_id = 507");
            $done = $store->purgeExpired(['erasures' => true]);
            $this->assertSame(1, $done[$orders]);
            $this->assertSame(1, $done['erasures_completed']);
            $this->assertSame(0, (int) $pdo->query('SELECT COUNT(*) FROM dsgvo_pending_erasures')->fetchColumn());
            $this->assertSame(0, $this->rowsIn($shop, 'orders', 'orders_id BETWEEN 501 AND 507'));
            $this->assertSame(1, $this->rowsIn($shop, 'orders', 'orders_id = 601'), "another customer's order stays");
            $last = $store->purgeExpired(['erasures' => true]);
            $this->assertSame(0, $last['erasures_completed'] + $last['erasures_pending']);
        } finally {
            $shop->drop();
        }
    }

    public function testRetentionYearsReplaceTheLegalPeriod(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET, 'retention_years' => ['orders' => 1, 'orders_products' => 1]]);
            $store->migrate();
            $id = $shop->addCustomer('dora@example.org');
            $young = $shop->addOrderWith($id, 'dora@example.org', [3], 30);
            $old = $shop->addOrderWith($id, 'dora@example.org', [3], 2 * 366);
            $report = $store->erase($id, ['shop_data' => true]);
            $this->assertSame(1, $report['removed']['orders'], 'two years old: past one year from its year end');
            $kept = self::retained($report, 'orders');
            $this->assertSame([1, 1], [$kept['count'], $kept['years']]);
            $year = (int) $shop->db->pdo->query("SELECT YEAR(date_purchased) FROM orders WHERE orders_id = $young")->fetchColumn();
            $this->assertSame(($year + 1) . '-12-31', $kept['retained_until']);
            $this->assertSame(0, $this->rowsIn($shop, 'orders', "orders_id = $old"));

            $map = array_column($store->dataMap(), null, 'id');
            $this->assertSame(8, $map['orders']['period']['years'], 'the data map keeps the legal default');
            $this->assertNull($map['customers']['period']);
        } finally {
            $shop->drop();
        }
    }

    public function testARetainChosenByTheShopKeepsWithoutAnEnd(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET, 'erase_strategies' => ['orders' => 'retain']]);
            $store->migrate();
            $id = $shop->addCustomer('gerd@example.org');
            $old = $shop->addOrderWith($id, 'gerd@example.org', [3], 11 * 366);
            $report = $store->erase($id, ['shop_data' => true]);
            $kept = self::retained($report, 'orders');
            $this->assertSame([1, null, null], [$kept['count'], $kept['years'], $kept['retained_until']]);
            $this->assertSame('kept as the shop chose (erase_strategies)', $kept['reason']);
            $this->assertSame(1, $this->rowsIn($shop, 'orders', "orders_id = $old"), 'kept: the shop decided');
            $this->assertSame(1, self::retained($report, 'orders_products')['count'], 'its products stay with it');
        } finally {
            $shop->drop();
        }
    }

    public function testBadOptionsAreRefusedAndChangeNothing(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('emil@example.org');
            $shop->addOrder($id, 'emil@example.org', 12 * 366);
            foreach ([['erasures' => 'yes'], ['erasure' => true]] as $bad) {
                try {
                    $store->purgeExpired($bad);
                    $this->fail('refused: ' . json_encode($bad));
                } catch (InvalidInputException $e) {
                    $this->assertStringContainsString('purgeExpired', $e->getMessage());
                }
            }
            foreach ([['customers' => 3], ['orders' => 0], ['orders' => '8 Jahre'], ['orders' => 31]] as $bad) {
                try {
                    $shop->store(['retention_years' => $bad]);
                    $this->fail('refused: ' . json_encode($bad));
                } catch (ConfigException $e) {
                    $this->assertStringContainsString("option 'retention_years'", $e->getMessage());
                }
            }
            try {
                (new \Dsgvo\Store(['dsn' => $shop->db->dsn, 'secret' => self::SECRET]))->purgeExpired(['erasures' => true]);
                $this->fail('erasures need a shop preset');
            } catch (ConfigException $e) {
                $this->assertStringContainsString('dsgvo.shop', $e->getMessage());
            }
            $this->assertSame(1, $this->rowsIn($shop, 'orders', '1'), 'nothing was erased');
        } finally {
            $shop->drop();
        }
    }
}
