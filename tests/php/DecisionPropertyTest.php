<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Property: for 10,000 random customers with random orders, consents (for the account's address, another
 * or none recorded), objections, sends, suppressions and lifts by double opt-in, filterSendable(ids, type) is exactly maySend(id, type) applied one by one, in input
 * order with duplicates dropped, for every basis. Fixed seed, so a failure reproduces.
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
            $store->defineEmailType('ec', 'existing_customer', ['max_age_days' => 365, 'notice_since' => date('Y-m-d', time() - 86400 * 200)]);
            $store->defineEmailType('ec2', 'existing_customer', ['min_interval_days' => 10]);
            $store->defineEmailType('tx', 'transactional');
            $types = ['nl', 'ec', 'ec2', 'tx', 'undefined'];
            $at = function (int $maxDaysAgo): string {
                return gmdate('Y-m-d H:i:s', time() - mt_rand(0, $maxDaysAgo * 86400)) . sprintf('.%06d', mt_rand(0, 999999));
            };

            $customers = $orders = $states = $optOuts = $sends = $suppressions = [];
            for ($id = 1; $id <= self::CUSTOMERS; $id++) {
                $email = "c$id@example.org";
                $customers[] = [$id, mt_rand(0, 9) === 0 ? strtoupper($email) : $email];
                for ($n = mt_rand(0, 3); $n > 0; $n--) {
                    $orderEmail = mt_rand(0, 4) === 0 ? "old$id@example.org" : (mt_rand(0, 1) ? " C$id@Example.org" : $email);
                    $date = mt_rand(0, 30) === 0 ? '0000-00-00 00:00:00' : date('Y-m-d H:i:s', time() - mt_rand(0, 1200) * 86400);
                    $orders[] = [$id, $orderEmail, $date];
                }
                foreach ($types as $type) {
                    if (mt_rand(0, 2) === 0) {
                        $status = ['granted', 'revoked', 'pending'][mt_rand(0, 2)];
                        $granted = $status === 'granted' || mt_rand(0, 1) ? $at(900) : null;
                        // The address of the grant in force: none recorded, the account's, or another.
                        $given = [null, $email, "old$id@example.org"][mt_rand(0, 2)];
                        $states[] = [$id, $type, $status, mt_rand(1, 99999), $granted === null ? null : mt_rand(1, 99999), $granted, $given, $at(10)];
                    }
                    if (mt_rand(0, 8) === 0) {
                        $optOuts[] = [$id, mt_rand(0, 3) === 0 ? '*' : $type, $at(900)];
                    }
                    if (mt_rand(0, 4) === 0) {
                        $sends[] = [$id, $type, $at(30)];
                    }
                }
                $r = mt_rand(0, 99);
                if ($r < 2) {
                    $suppressions[] = [null, null, $id, '*', 'erased', $at(100)];
                } elseif ($r < 6) {
                    $hmac = hash_hmac('sha256', "dsgvo.address.v1\0" . $email, self::SECRET, true);
                    $type = $r < 4 ? '*' : $types[mt_rand(0, 4)];
                    $suppressions[] = [$hmac, Tokens::keyId(self::SECRET), null, $type, $r === 2 ? 'erased' : 'opt_out', $at(900)];
                    // Sometimes a confirmed double opt-in of the address lifts it for one purpose.
                    $lifted = $types[mt_rand(0, 4)];
                    if (mt_rand(0, 1) === 0 && $lifted !== $type) {
                        $suppressions[] = [$hmac, Tokens::keyId(self::SECRET), null, $lifted, 'consent', $at(900)];
                    }
                }
            }
            self::insert($pdo, 'customers', ['customers_id', 'customers_email_address'], $customers);
            self::insert($pdo, 'orders', ['customers_id', 'customers_email_address', 'date_purchased'], $orders);
            self::insert($pdo, 'dsgvo_consent_state', ['customer_id', 'purpose', 'status', 'event_id', 'grant_event_id', 'granted_at', 'email', 'updated_at'], $states);
            self::insert($pdo, 'dsgvo_opt_outs', ['customer_id', 'type', 'created_at'], $optOuts);
            self::insert($pdo, 'dsgvo_send_log', ['customer_id', 'type', 'sent_at'], $sends);
            self::insert($pdo, 'dsgvo_suppressions', ['email_hmac', 'key_id', 'customer_id', 'type', 'reason', 'created_at'], $suppressions);
            $pdo->exec("UPDATE dsgvo_counters SET value = value + 1 WHERE name = 'catalog'");

            $ids = range(1, self::CUSTOMERS);
            for ($i = 0; $i < 200; $i++) {
                $ids[] = self::CUSTOMERS + mt_rand(1, 5000); // unknown to the shop
                $ids[] = mt_rand(1, self::CUSTOMERS);       // duplicates
            }
            shuffle($ids);
            $unique = array_values(array_unique($ids));

            $reasons = [];
            foreach ($types as $type) {
                $expected = [];
                foreach ($unique as $id) {
                    $d = $store->maySend($id, $type);
                    $reasons[$d->reason] = ($reasons[$d->reason] ?? 0) + 1;
                    if ($d->allowed) {
                        $expected[] = $id;
                    }
                }
                $this->assertSame($expected, $store->filterSendable($ids, $type), "type $type");
            }
            // The data reaches every reason code, so the equality above covers every branch.
            $this->assertCount(16, $reasons, json_encode($reasons));
        } finally {
            $shop->drop();
        }
    }
}
