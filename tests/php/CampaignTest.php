<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * A campaign over every customer of a shop large enough to be read on two connections (store/campaign/everyone.rs):
 * on messy data, under each shop's real collations, filterSendable(null) allows exactly the customers maySend allows
 * one by one; the second connection is opened for the campaign and closed after it; a server that allows one
 * connection per user gets the same answer read on one.
 */
final class CampaignTest extends TestCase
{
    private const SECRET = '3b8d0f6a2c4e1987a5b3c9d7e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0';
    /** Above the id from which the scans use a second connection. */
    private const CUSTOMERS = 6000;

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::ownOsCommerceAndZenCart();
    }

    /**
     * Accounts with addresses in capitals, with spaces around, not ASCII, shared by two accounts; orders placed with
     * the current address, an old one, a variant in case and spaces, a tab, an umlaut; cancelled orders, guest orders
     * (id 0), orders of deleted accounts, orders too old or without a date; consents for the account's address or an
     * old one, revoked, pending; objections before and after a consent; restrictions; an erased account.
     */
    private static function messyShop(Shop $shop, Store $store): void
    {
        $pdo = $shop->db->pdo;
        $n = self::CUSTOMERS;
        $customers = $shop->table('customers');
        $orders = $shop->table('orders');
        $pdo->exec("INSERT INTO {$shop->table('orders_status')} (orders_status_id, language_id, orders_status_name)
            VALUES (1, 1, 'Pending'), (1, 2, 'Offen'), (2, 1, 'Delivered'), (3, 1, 'Cancelled'), (3, 2, 'Storniert')");
        $pdo->exec("INSERT INTO $customers (customers_id, customers_firstname, customers_lastname, customers_email_address)
            SELECT seq, 'Erika', 'Mustermann', CASE
                WHEN seq % 13 = 0 THEN CONCAT('jürgen', seq, '@example.org')
                WHEN seq % 11 = 0 THEN CONCAT(' c', seq, '@Example.org ')
                WHEN seq % 7 = 0 THEN CONCAT('C', seq, '@EXAMPLE.ORG')
                ELSE CONCAT('c', seq, '@example.org') END
            FROM seq_1_to_$n");
        // Two accounts of one person share an address; only the second has bought. A third account's address
        // differs from theirs by an accent only (one address to an accent-insensitive collation, not to the rules).
        $pdo->exec("INSERT INTO $customers (customers_id, customers_firstname, customers_lastname, customers_email_address)
            VALUES ($n + 1, 'Max', 'Muster', 'max@example.org'), ($n + 2, 'Max', 'Muster', 'MAX@example.org'),
                   ($n + 3, 'Máx', 'Muster', 'Máx@example.org')");
        $pdo->exec("INSERT INTO $orders (customers_id, customers_name, customers_email_address, date_purchased, orders_status)
            SELECT c.seq, 'Erika Mustermann', CASE CRC32(CONCAT('a', c.seq, k.seq)) % 8
                    WHEN 0 THEN CONCAT('old', c.seq, '@example.org')
                    WHEN 1 THEN UPPER(CONCAT(' c', c.seq, '@example.org'))
                    WHEN 2 THEN CONCAT('c', c.seq, '@example.org\t')
                    WHEN 3 THEN CONCAT('jürgen', c.seq, '@example.org')
                    WHEN 4 THEN CONCAT('ç', c.seq, '@example.org')
                    ELSE cu.customers_email_address END,
                   IF(CRC32(CONCAT('z', c.seq, k.seq)) % 40 = 0, '0000-00-00 00:00:00',
                      NOW() - INTERVAL CRC32(CONCAT('d', c.seq, k.seq)) % 900 DAY),
                   IF(CRC32(CONCAT('s', c.seq, k.seq)) % 6 = 0, 3, 1 + CRC32(CONCAT('t', c.seq, k.seq)) % 2)
            FROM seq_1_to_$n c JOIN seq_1_to_2 k ON k.seq <= c.seq % 3 JOIN $customers cu ON cu.customers_id = c.seq");
        $pdo->exec("INSERT INTO $orders (customers_id, customers_name, customers_email_address, date_purchased, orders_status)
            VALUES (0, 'Gast', 'c5@example.org', NOW() - INTERVAL 3 DAY, 1), ($n + 2, 'Max', 'max@example.org', NOW() - INTERVAL 9 DAY, 1),
                   ($n + 3, 'Máx', 'max@example.org', NOW() - INTERVAL 9 DAY, 1),
                   ($n + 50, 'Gelöscht', 'gone@example.org', NOW() - INTERVAL 9 DAY, 1)");
        $store->migrate();
        $store->defineEmailType('newsletter', 'consent');
        $store->defineEmailType('doi', 'consent', ['consent' => 'double_opt_in']);
        $store->defineEmailType('winback', 'existing_customer', ['max_age_days' => 365, 'notice_since' => '2000-01-01']);
        $store->defineEmailType('review', 'existing_customer', ['min_interval_days' => 30, 'notice_since' => date('Y-m-d', time() - 86400 * 200)]);
        mt_srand(20261202);
        for ($id = 1; $id <= $n + 2; $id += mt_rand(1, 40)) {
            $type = ['newsletter', 'doi', 'winback', 'review'][mt_rand(0, 3)];
            $proof = ['source' => 'checkout', 'ip' => '192.0.2.7'];
            if (mt_rand(0, 4) === 0) {
                $proof['email'] = "old$id@example.org"; // given for an address the account no longer has
            }
            match (mt_rand(0, 5)) {
                0 => $store->requestConsent($id, $type, $proof),
                1, 2 => $store->confirmConsent($store->requestConsent($id, $type, $proof), ['ip' => '192.0.2.8']),
                3 => $store->revokeConsent($id, $type, $proof),
                default => $store->grantConsent($id, $type, $proof),
            };
            if (mt_rand(0, 3) === 0) {
                $store->optOut($id, mt_rand(0, 1) ? '*' : $type, ['source' => 'link']);
            }
            if (mt_rand(0, 9) === 0) {
                $store->grantConsent($id, $type, ['source' => 'account']); // newer than the objection
            }
            if (mt_rand(0, 7) === 0) {
                $store->logSend($id, 'review', ['notice' => true]);
            }
        }
        $store->grantConsent($n + 1, 'newsletter', ['source' => 'account']);
        $store->restrict(44, ['source' => 'admin']);
        $store->restrict(45, ['source' => 'admin']);
        $store->unrestrict(45, ['source' => 'admin']);
        $store->optOutEmail('c101@example.org', '*', ['source' => 'admin']);
        $store->erase(102);
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEveryoneIsWhomMaySendAllows(string $fixture, string $preset, string $prefix): void
    {
        $shop = Shop::createOrSkip($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            self::messyShop($shop, $store);
            $ids = range(1, self::CUSTOMERS + 3);
            foreach (['newsletter', 'doi', 'winback', 'review', 'undefined'] as $type) {
                $expected = array_values(array_filter($ids, fn (int $id): bool => $store->maySend($id, $type)->allowed));
                if ($type !== 'undefined') {
                    $this->assertNotEmpty($expected, "some customer may receive $type");
                    $this->assertLessThan(count($ids), count($expected), "not every customer may receive $type");
                }
                $this->assertSame($expected, $store->filterSendable(null, $type), "$type, $fixture");
                // A list of most of the shop is judged the same way, and keeps only its own ids.
                $some = array_values(array_filter($ids, fn (int $id): bool => $id % 5 !== 0));
                $this->assertSame(array_values(array_intersect($expected, $some)), $store->filterSendable($some, $type), "$type, a list");
            }
            $this->assertContains(self::CUSTOMERS + 2, $store->filterSendable(null, 'winback'), 'the account that bought');
            $this->assertNotContains(self::CUSTOMERS + 1, $store->filterSendable(null, 'winback'), 'its twin that did not');
            $this->assertNotContains(self::CUSTOMERS + 3, $store->filterSendable(null, 'winback'), 'bought at an address that differs by an accent');
            foreach ([44, 101, 102] as $denied) {
                $this->assertNotContains($denied, $store->filterSendable(null, 'winback'), "customer $denied");
            }
        } finally {
            $shop->drop();
        }
    }

    public function testTheSecondConnectionIsOpenedForTheCampaignAndClosedAfterIt(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $user = 'dsgvo_camp_' . getmypid();
        $admin = TestDatabase::pdo();
        $userstat = (int) $admin->query('SELECT @@GLOBAL.userstat')->fetchColumn();
        try {
            self::messyShop($shop, $shop->store(['secret' => self::SECRET]));
            $expected = $shop->store(['secret' => self::SECRET])->filterSendable(null, 'winback');
            $admin->exec('SET GLOBAL userstat = 1');
            $p = TestDatabase::parts(TestDatabase::baseDsn());
            // A user per limit: the process holds a connection per DSN.
            foreach ([0, 1] as $limit) {
                $name = $user . $limit;
                // With a limit, one account only: with a second one for localhost, a connection refused over the
                // socket would still be made over TCP as the other account.
                foreach ($limit === 0 ? ['%', 'localhost'] : ['%'] as $host) {
                    $admin->exec("CREATE USER '$name'@'$host' IDENTIFIED BY 'Campaign-Pw-1' WITH MAX_USER_CONNECTIONS $limit");
                    $admin->exec("GRANT ALL ON `{$shop->db->name}`.* TO '$name'@'$host'");
                }
                $dsn = "mysql://$name:Campaign-Pw-1@{$p['host']}:{$p['port']}/{$shop->db->name}";
                $store = new Store(['dsn' => $dsn, 'shop' => 'oscommerce', 'secret' => self::SECRET]);
                $connections = function () use ($admin, $name): array {
                    $q = $admin->prepare('SELECT TOTAL_CONNECTIONS, CONCURRENT_CONNECTIONS, DENIED_CONNECTIONS
                        FROM information_schema.USER_STATISTICS WHERE USER = ?');
                    $q->execute([$name]);
                    return array_map('intval', $q->fetch(\PDO::FETCH_NUM));
                };
                $this->assertTrue($store->ping());
                // What opening one connection counts (mysql_async may reconnect over the server's socket).
                [$one] = $connections();
                $this->assertSame($expected, $store->filterSendable(null, 'winback'), "limit $limit");
                $this->assertSame($expected, $store->filterSendable(null, 'winback'), "limit $limit, again");
                [$total, $concurrent, $denied] = $connections();
                $this->assertGreaterThan(0, $one);
                $this->assertSame(1, $concurrent, 'only the held connection is open after the campaigns');
                if ($limit === 0) {
                    // One more connection per campaign, closed when it ended.
                    $this->assertSame([3 * $one, 0], [$total, $denied], 'connections: total, denied');
                }
                // With one connection per user the second is refused (the same answer above, read on one).
                $store = null;
            }
        } finally {
            $admin->exec('SET GLOBAL userstat = ' . $userstat);
            foreach ([0, 1] as $limit) {
                foreach (['%', 'localhost'] as $host) {
                    $admin->exec("DROP USER IF EXISTS '$user$limit'@'$host'");
                }
            }
            $shop->drop();
        }
    }
}
