<?php
/**
 * The send decision against plain PHP/PDO implementations of the same rules, alternating in one process, on an
 * osCommerce shop (benches/lib/campaign_data.php: 0–3 orders per customer, 15% consents, 10% objections), on the
 * project's minimal schema and on the real osCommerce 2.3.4.1 schema:
 *
 *   maySend (one customer at a time):
 *     (a) the way shop modules usually write it: one query per check (customer, objections, consent,
 *         and for existing-customer mail the orders);
 *     (b) the best a PHP developer can do: one hand-tuned query per customer.
 *   filterSendable (a campaign over all customers), null (everyone) and the list of all ids:
 *     (c) the one set statement a developer writes (NOT EXISTS / EXISTS; campaign_reference()).
 * Every reference gives the extension's answers on the data (checked before timing). The references check
 * suppression by customer id only: in plain PHP a suppressed *address* needs the address first and an HMAC
 * second, which would only make them slower.
 * PDO uses the server's unix socket when there is one, as mysql_async does for loopback servers.
 * Targets (issue 20): maySend <= 1.0x (b) and <= 0.5x (a); filterSendable <= 1.5x (c).
 *
 *   scripts/bench decision   (or: php -d extension=target/release/libdsgvo.so benches/decision.php
 *                             [schema: both|minimal|oscommerce2] [customers=20000] [rounds=11] [calls=1000]
 *                             [campaign rounds=7])
 * A million-customer campaign: benches/campaign.php.
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';
require __DIR__ . '/lib/campaign_data.php';

$schemas = ($argv[1] ?? 'both') === 'both' ? ['minimal', 'oscommerce2'] : [$argv[1]];
$customers = (int) ($argv[2] ?? 20000);
$rounds = (int) ($argv[3] ?? 11);
$calls = (int) ($argv[4] ?? 1000);
$campaignRounds = (int) ($argv[5] ?? 7);
$summary = [];
foreach ($schemas as $schema) {
    if ($schema === 'oscommerce2' && Dsgvo\Tests\ShopSchemas::directory() === null) {
        echo "== real osCommerce 2.3.4.1 schema: SKIPPED (" . Dsgvo\Tests\ShopSchemas::skipReason() . ")\n";
        continue;
    }
    echo "== $schema schema\n";
    $summary[$schema] = bench_schema($schema, $customers, $rounds, $calls, $campaignRounds);
    echo "\n";
}
echo "summary (median ratio extension / reference; targets: maySend <= 1.0 (b), <= 0.5 (a); filterSendable <= 1.5)\n";
foreach ($summary as $schema => $ratios) {
    foreach ($ratios as $pair => $ratio) {
        printf("  %-12s %-90s %.2f\n", $schema, $pair, $ratio);
    }
}

/** @return array<string, float> */
function bench_schema(string $schema, int $customers, int $rounds, int $calls, int $campaignRounds): array
{
    [$dsn, $pdo, $store] = campaign_shop('dsgvo_bench_decision', $schema, $customers, bin2hex(random_bytes(32)));
    mt_srand(7);

    // --- (a) one query per check ------------------------------------------------------------------------
    $qCustomer = $pdo->prepare('SELECT customers_email_address FROM customers WHERE customers_id = ?');
    $qSuppressed = $pdo->prepare('SELECT 1 FROM dsgvo_suppressions WHERE customer_id = ? LIMIT 1');
    $qOptOut = $pdo->prepare("SELECT MAX(IF(type = '*', created_at, NULL)) AS all_at, MAX(IF(type = ?, created_at, NULL)) AS type_at FROM dsgvo_opt_outs WHERE customer_id = ? AND type IN ('*', ?)");
    $qConsent = $pdo->prepare('SELECT status, granted_at FROM dsgvo_consent_state WHERE customer_id = ? AND purpose = ?');
    $qOrders = $pdo->prepare('SELECT COUNT(*) AS n, MAX(IF(LOWER(TRIM(customers_email_address)) = LOWER(TRIM(?)), date_purchased, NULL)) AS newest FROM orders WHERE customers_id = ? AND orders_status <> 3');

    $naive = function (int $id, string $type) use ($qCustomer, $qSuppressed, $qOptOut, $qConsent, $qOrders): bool {
        $qCustomer->execute([$id]);
        $email = $qCustomer->fetchColumn();
        if ($email === false) {
            return false;
        }
        $qSuppressed->execute([$id]);
        $suppressed = $qSuppressed->fetchColumn() !== false;
        $qOptOut->execute([$type, $id, $type]);
        $o = $qOptOut->fetch(PDO::FETCH_ASSOC);
        $qConsent->execute([$id, $type]);
        $c = $qConsent->fetch(PDO::FETCH_ASSOC) ?: ['status' => null, 'granted_at' => null];
        $n = 0;
        $newest = null;
        if ($type === 'winback') {
            $qOrders->execute([$email, $id]);
            $r = $qOrders->fetch(PDO::FETCH_ASSOC);
            [$n, $newest] = [(int) $r['n'], $r['newest']];
        }
        return rules($type === 'winback', $email, $suppressed, $o['all_at'], $o['type_at'], $c['status'], $c['granted_at'], $n, $newest);
    };

    // --- (b) one hand-tuned query per customer ----------------------------------------------------------
    $tunedSql = "SELECT c.customers_email_address AS email,
        EXISTS(SELECT 1 FROM dsgvo_suppressions s WHERE s.customer_id = c.customers_id) AS suppressed,
        (SELECT MAX(created_at) FROM dsgvo_opt_outs x WHERE x.customer_id = c.customers_id AND x.type = '*') AS all_at,
        (SELECT MAX(created_at) FROM dsgvo_opt_outs x WHERE x.customer_id = c.customers_id AND x.type = :t1) AS type_at,
        st.status, st.granted_at %s
      FROM customers c LEFT JOIN dsgvo_consent_state st ON st.customer_id = c.customers_id AND st.purpose = :t2
      WHERE c.customers_id %s";
    $ordersColumns = ", (SELECT COUNT(*) FROM orders o WHERE o.customers_id = c.customers_id AND o.orders_status <> 3) AS n,
        (SELECT MAX(o.date_purchased) FROM orders o WHERE o.customers_id = c.customers_id AND o.orders_status <> 3
           AND LOWER(TRIM(o.customers_email_address)) = LOWER(TRIM(c.customers_email_address))) AS newest";
    $tuned = [
        'newsletter' => $pdo->prepare(sprintf($tunedSql, '', '= :id')),
        'winback' => $pdo->prepare(sprintf($tunedSql, $ordersColumns, '= :id')),
    ];
    $tunedOne = function (int $id, string $type) use ($tuned): bool {
        $q = $tuned[$type];
        $q->execute([':id' => $id, ':t1' => $type, ':t2' => $type]);
        $r = $q->fetch(PDO::FETCH_ASSOC);
        if ($r === false) {
            return false;
        }
        return rules($type === 'winback', $r['email'], (bool) $r['suppressed'], $r['all_at'], $r['type_at'], $r['status'], $r['granted_at'], (int) ($r['n'] ?? 0), $r['newest'] ?? null);
    };

    // The three implementations agree on a sample (so the comparison is of the same work).
    foreach (['newsletter', 'winback'] as $type) {
        for ($i = 0; $i < 300; $i++) {
            $id = mt_rand(1, $customers);
            $ext = $store->maySend($id, $type)->allowed;
            if ($ext !== $naive($id, $type) || $ext !== $tunedOne($id, $type)) {
                fwrite(STDERR, "references disagree with the extension for customer $id, type $type\n");
                exit(1);
            }
        }
    }

    $results = [];
    foreach (['newsletter' => 'consent', 'winback' => 'existing_customer'] as $type => $basis) {
        $jobs = [
            "extension maySend() [$basis]" => function (int $n) use ($store, $type, $customers): void {
                for ($i = 0; $i < $n; $i++) {
                    $store->maySend(mt_rand(1, $customers), $type);
                }
            },
            "(a) PDO query per check [$basis]" => function (int $n) use ($naive, $type, $customers): void {
                for ($i = 0; $i < $n; $i++) {
                    $naive(mt_rand(1, $customers), $type);
                }
            },
            "(b) PDO tuned query [$basis]" => function (int $n) use ($tunedOne, $type, $customers): void {
                for ($i = 0; $i < $n; $i++) {
                    $tunedOne(mt_rand(1, $customers), $type);
                }
            },
        ];
        $results += bench_alternate("maySend, $basis type", $jobs, [
            ["extension maySend() [$basis]", "(a) PDO query per check [$basis]"],
            ["extension maySend() [$basis]", "(b) PDO tuned query [$basis]"],
        ], $rounds, $calls);
        echo "\n";
    }

    // --- (c) campaigns over all customers -----------------------------------------------------------------
    $all = range(1, $customers);
    // Builds before filterSendable(null) existed are measured on the list alone.
    $everyone = (new ReflectionMethod(Dsgvo\Store::class, 'filterSendable'))->getParameters()[0]->allowsNull();
    foreach (['newsletter' => 'consent', 'winback' => 'existing_customer'] as $type => $basis) {
        $expected = campaign_reference($pdo, $type);
        if (($everyone && $store->filterSendable(null, $type) !== $expected) || $store->filterSendable($all, $type) !== $expected) {
            fwrite(STDERR, "the set statement and filterSendable disagree ($type)\n");
            exit(1);
        }
        $jobs = [
            "extension filterSendable(all ids) [$basis]" => function (int $n) use ($store, $all, $type): void {
                $store->filterSendable($all, $type);
            },
            "(c) PDO set statement [$basis]" => function (int $n) use ($pdo, $type): void {
                campaign_reference($pdo, $type);
            },
        ];
        $pairs = [["extension filterSendable(all ids) [$basis]", "(c) PDO set statement [$basis]"]];
        if ($everyone) {
            $jobs["extension filterSendable(null) [$basis]"] = function (int $n) use ($store, $type): void {
                $store->filterSendable(null, $type);
            };
            $pairs[] = ["extension filterSendable(null) [$basis]", "(c) PDO set statement [$basis]"];
        }
        $results += bench_alternate("campaign over $customers customers, $basis type (us per customer)", $jobs, $pairs, $campaignRounds, $customers);
        echo "\n";
    }
    bench_drop_database('dsgvo_bench_decision');
    return $results;
}

/** The rules of DESIGN.md on plain values (what each PHP reference computes after its queries). */
function rules(bool $existingCustomerType, ?string $email, bool $suppressed, ?string $allAt, ?string $typeAt, ?string $status, ?string $grantedAt, int $orders, ?string $newest): bool
{
    if ($email === null || $suppressed) {
        return false;
    }
    $inForce = $status === 'granted';
    foreach ([$allAt, $typeAt] as $at) {
        if ($at !== null && !($inForce && $grantedAt !== null && $grantedAt > $at)) {
            return false;
        }
    }
    if ($inForce) {
        return true;
    }
    if ($status === 'revoked' || !$existingCustomerType) {
        return false;
    }
    return $orders > 0 && $newest !== null && $newest >= date('Y-m-d H:i:s', time() - 730 * 86400);
}

