<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Property: for 10,000 random customers with random orders (statuses named like a cancellation or not, products
 * in a nested category tree), consents (for the account's address, another or none recorded; direct or confirmed;
 * old or recent), objections, sends, suppressions, restrictions and lifts by double opt-in, filterSendable(ids, type) is exactly
 * maySend(id, type) applied one by one, in input order with duplicates dropped, for every basis and option, and
 * filterSendable(null, type) is the same for every customer of the shop, by id; also without a shop preset.
 * Fixed seed, so a failure reproduces.
 */
final class DecisionPropertyTest extends TestCase
{
    private const SECRET = '95c14755ab3fde7da56b70ad68145c98b37d53a1d4e186e5d1d577f2137a2c74';
    private const CUSTOMERS = 10000;

    /** @param list<list<mixed>> $rows */
    private static function insert(\PDO $pdo, string $table, array $columns, array $rows): void
    {
        foreach (array_chunk($rows, 500) as $chunk) {
            $row = '(' . implode(', ', array_fill(0, count($columns), '?')) . ')';
            $sql = "INSERT INTO $table (" . implode(', ', $columns) . ') VALUES ' . implode(', ', array_fill(0, count($chunk), $row));
            $pdo->prepare($sql)->execute(array_merge(...$chunk));
        }
    }

    public function testFilterSendableEqualsMaySendOneByOne(): void
    {
        mt_srand(20261129);
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $pdo = $shop->db->pdo;
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('nl', 'consent');
            $store->defineEmailType('doi', 'consent', ['consent' => 'double_opt_in']);
            $store->defineEmailType('idle', 'consent', ['consent_max_idle_days' => 300, 'min_interval_days' => 3]);
            $store->defineEmailType('ec', 'existing_customer', ['max_age_days' => 365, 'notice_since' => date('Y-m-d', time() - 86400 * 200)]);
            $store->defineEmailType('ec2', 'existing_customer', ['min_interval_days' => 10]);
            $store->defineEmailType('similar', 'existing_customer', ['notice_since' => '2020-01-01', 'similar_categories' => [2, 7],
                'consent' => 'double_opt_in', 'consent_max_idle_days' => 400]);
            $store->defineEmailType('all.orders', 'existing_customer', ['notice_since' => '2020-01-01', 'excluded_order_statuses' => []]);
            $store->defineEmailType('tx', 'transactional', ['advertising_type' => 'ec']);
            $types = ['nl', 'doi', 'idle', 'ec', 'ec2', 'similar', 'all.orders', 'tx', 'undefined'];
            // Statuses as a shop names them, in two languages; a category tree three levels deep.
            self::insert($pdo, 'orders_status', ['orders_status_id', 'language_id', 'orders_status_name'], [
                [1, 1, 'Pending'], [1, 2, 'Offen'], [2, 1, 'Shipped'], [2, 2, 'Versendet'],
                [98, 1, 'Cancelled'], [98, 2, 'Storniert'], [99, 1, 'Payment failed'], [99, 2, 'Zahlung abgebrochen'],
            ]);
            $tree = [];
            for ($c = 1; $c <= 30; $c++) {
                $tree[] = [$c, $c <= 5 ? 0 : mt_rand(1, $c - 1)];
            }
            self::insert($pdo, 'categories', ['categories_id', 'parent_id'], $tree);
            $inCategory = [];
            for ($p = 1; $p <= 200; $p++) {
                foreach (array_unique([mt_rand(1, 30), mt_rand(1, 30)]) as $c) {
                    $inCategory[] = [$p, $c];
                }
            }
            self::insert($pdo, 'products_to_categories', ['products_id', 'categories_id'], $inCategory);
            $events = [];
            $orderProducts = [];
            $orderId = 0;
            $at = function (int $maxDaysAgo): string {
                return gmdate('Y-m-d H:i:s', time() - mt_rand(0, $maxDaysAgo * 86400)) . sprintf('.%06d', mt_rand(0, 999999));
            };

            $customers = $orders = $states = $optOuts = $sends = $suppressions = $restrictions = [];
            for ($id = 1; $id <= self::CUSTOMERS; $id++) {
                // Some addresses are not plain ASCII (the set statement leaves those to the Rust comparison), a few
                // in capitals the database and Rust may lowercase differently.
                $email = mt_rand(0, 14) === 0 ? "jürgen.c$id@example.org" : "c$id@example.org";
                $customers[] = [$id, mt_rand(0, 9) === 0 ? mb_strtoupper($email) : $email];
                for ($n = mt_rand(0, 3); $n > 0; $n--) {
                    $orderEmail = mt_rand(0, 4) === 0 ? "old$id@example.org" : (mt_rand(0, 1) ? " C$id@Example.org" : $email);
                    $date = mt_rand(0, 30) === 0 ? '0000-00-00 00:00:00' : date('Y-m-d H:i:s', time() - mt_rand(0, 1200) * 86400);
                    $orders[] = [++$orderId, $id, $orderEmail, $date, [1, 2, 2, 98, 99][mt_rand(0, 4)]];
                    for ($k = mt_rand(0, 2); $k > 0; $k--) {
                        $orderProducts[] = [$orderId, mt_rand(1, 220)];
                    }
                }
                foreach ($types as $type) {
                    if (mt_rand(0, 2) === 0) {
                        $status = ['granted', 'revoked', 'pending'][mt_rand(0, 2)];
                        $granted = $status === 'granted' || mt_rand(0, 1) ? $at(900) : null;
                        // The address of the grant in force: none recorded, the account's, or another.
                        $given = [null, $email, "old$id@example.org"][mt_rand(0, 2)];
                        $grantEvent = null;
                        if ($granted !== null) {
                            // The grant in force: a direct grant or a confirmed double opt-in.
                            $grantEvent = count($events) + 1;
                            $events[] = [$grantEvent, $id, $type, mt_rand(0, 1) ? 'confirmed' : 'granted', str_repeat("\0", 32), $granted, $granted, str_repeat("\0", 32), str_repeat("\0", 32)];
                        }
                        $states[] = [$id, $type, $status, mt_rand(1, 99999), $grantEvent, $granted, $given, $at(10)];
                    }
                    if (mt_rand(0, 8) === 0) {
                        $optOuts[] = [$id, mt_rand(0, 3) === 0 ? '*' : $type, $at(900)];
                    }
                    if (mt_rand(0, 4) === 0) {
                        $sends[] = [$id, $type, $at(mt_rand(0, 1) ? 30 : 600)];
                    }
                }
                // Restriction (Art. 18): restricted now, or restricted once and lifted again.
                $x = mt_rand(0, 99);
                if ($x < 3) {
                    $restrictions[] = [$id, 'restrict', $at(100)];
                    if ($x === 0) {
                        $restrictions[] = [$id, 'unrestrict', $at(10)];
                    }
                }
                $r = mt_rand(0, 99);
                if ($r < 2) {
                    $suppressions[] = [null, null, $id, '*', 'erased', $at(100)];
                } elseif ($r < 6) {
                    $hmac = hash_hmac('sha256', "dsgvo.address.v1\0" . $email, self::SECRET, true);
                    $type = $r < 4 ? '*' : $types[mt_rand(0, count($types) - 1)];
                    $suppressions[] = [$hmac, Tokens::keyId(self::SECRET), null, $type, $r === 2 ? 'erased' : 'opt_out', $at(900)];
                    // Sometimes a confirmed double opt-in of the address lifts it for one purpose.
                    $lifted = $types[mt_rand(0, count($types) - 1)];
                    if (mt_rand(0, 1) === 0 && $lifted !== $type) {
                        $suppressions[] = [$hmac, Tokens::keyId(self::SECRET), null, $lifted, 'consent', $at(900)];
                    }
                }
            }
            self::insert($pdo, 'customers', ['customers_id', 'customers_email_address'], $customers);
            self::insert($pdo, 'orders', ['orders_id', 'customers_id', 'customers_email_address', 'date_purchased', 'orders_status'], $orders);
            self::insert($pdo, 'orders_products', ['orders_id', 'products_id'], $orderProducts);
            self::insert($pdo, 'dsgvo_consent_events', ['id', 'customer_id', 'purpose', 'action', 'personal_digest', 'occurred_at', 'recorded_at', 'prev_hash', 'hash'], $events);
            self::insert($pdo, 'dsgvo_consent_state', ['customer_id', 'purpose', 'status', 'event_id', 'grant_event_id', 'granted_at', 'email', 'updated_at'], $states);
            self::insert($pdo, 'dsgvo_opt_outs', ['customer_id', 'type', 'created_at'], $optOuts);
            self::insert($pdo, 'dsgvo_send_log', ['customer_id', 'type', 'sent_at'], $sends);
            self::insert($pdo, 'dsgvo_suppressions', ['email_hmac', 'key_id', 'customer_id', 'type', 'reason', 'created_at'], $suppressions);
            self::insert($pdo, 'dsgvo_restrictions', ['customer_id', 'action', 'created_at'], $restrictions);
            $pdo->exec("UPDATE dsgvo_counters SET value = value + 1 WHERE name = 'catalog'");

            $ids = range(1, self::CUSTOMERS);
            for ($i = 0; $i < 200; $i++) {
                $ids[] = self::CUSTOMERS + mt_rand(1, 5000); // unknown to the shop
                $ids[] = mt_rand(1, self::CUSTOMERS);       // duplicates
            }
            shuffle($ids);
            $unique = array_values(array_unique($ids));

            $reasons = [];
            $advertising = 0;
            foreach ($types as $type) {
                $expected = [];
                foreach ($unique as $id) {
                    $d = $store->maySend($id, $type);
                    $reasons[$d->reason] = ($reasons[$d->reason] ?? 0) + 1;
                    $this->assertSame($d->allowed && ($d->basis !== 'transactional' || $d->mayAdvertise), $d->noticeRequired);
                    if ($type === 'tx') {
                        $advertising += $d->mayAdvertise ? 1 : 0;
                        $this->assertSame($d->mayAdvertise, $store->maySend($id, 'ec')->allowed, "tx advertises as ec allows, $id");
                    }
                    if ($d->allowed) {
                        $expected[] = $id;
                    }
                }
                $this->assertSame($expected, $store->filterSendable($ids, $type), "type $type");
                // Half the list still covers much of the shop (one pass over everyone, the rest left out); 1,500 ids
                // are looked up by key.
                $allowed = array_fill_keys($expected, true);
                foreach ([5000, 1500] as $n) {
                    $part = array_slice($ids, 0, $n);
                    $this->assertSame(
                        array_values(array_filter(array_values(array_unique($part)), fn (int $id): bool => isset($allowed[$id]))),
                        $store->filterSendable($part, $type),
                        "type $type, $n ids of the list"
                    );
                }
                // Everyone (null): the allowed among the shop's customers, by id.
                $everyone = array_values(array_filter($expected, fn (int $id): bool => $id <= self::CUSTOMERS));
                sort($everyone);
                $this->assertSame($everyone, $store->filterSendable(null, $type), "type $type, everyone");
            }
            // Without a shop preset there are no accounts: consent alone decides, for lists and for null (every
            // customer with a consent on record).
            $bare = new \Dsgvo\Store(['dsn' => $shop->db->dsn, 'secret' => self::SECRET]);
            foreach (['nl', 'doi', 'idle', 'ec'] as $type) {
                $expected = [];
                foreach ($unique as $id) {
                    if ($bare->maySend($id, $type)->allowed) {
                        $expected[] = $id;
                    }
                }
                $this->assertSame($expected, $bare->filterSendable($ids, $type), "type $type without a shop preset");
                sort($expected);
                $this->assertSame($expected, $bare->filterSendable(null, $type), "type $type without a shop preset, everyone");
            }
            // The data reaches every reason code, so the equality above covers every branch.
            $this->assertCount(20, $reasons, json_encode($reasons));
            $this->assertGreaterThan(0, $advertising);
        } finally {
            $shop->drop();
        }
    }
}
