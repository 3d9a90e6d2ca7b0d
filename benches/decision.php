<?php
/**
 * The send decision against plain PHP/PDO implementations of the same rules, alternating in one process,
 * on an osCommerce-style shop of 100,000 customers (minimal schema: customers, orders).
 *
 *   maySend (one customer at a time):
 *     (a) the way shop modules usually write it: one query per check (customer, objections, consent,
 *         and for existing-customer mail the orders);
 *     (b) the best a PHP developer can do: one hand-tuned query per customer.
 *   filterSendable (a campaign over all 100,000 customers):
 *     (c1) the PDO loop of (b), per customer;  (c2) one hand-written set query.
 * The references check suppression by customer id only: in plain PHP a suppressed *address* needs the
 * address first and an HMAC second, which would only make them slower.
 * PDO uses the server's unix socket when there is one, as mysql_async does for loopback servers.
 *
 *   scripts/bench decision   (or: php -d extension=target/release/libdsgvo.so benches/decision.php [rounds] [calls]
 *                             [campaign rounds])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

$rounds = (int) ($argv[1] ?? 11);
$calls = (int) ($argv[2] ?? 1000);
$campaignRounds = (int) ($argv[3] ?? 3);
const CUSTOMERS = 100000;
$secret = bin2hex(random_bytes(32));

$dsn = bench_database('dsgvo_bench_decision');
$pdo = bench_pdo($dsn, true) ?? bench_pdo($dsn);
$pdo->setAttribute(PDO::MYSQL_ATTR_USE_BUFFERED_QUERY, true);
Dsgvo\Tests\ShopSchemas::loadMinimal($pdo);
$store = new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce', 'secret' => $secret]);
$store->migrate();
$store->defineEmailType('newsletter', 'consent');
$store->defineEmailType('winback', 'existing_customer', ['max_age_days' => 730, 'notice_since' => '2000-01-01']);

/** @param list<list<mixed>> $rows */
function bulk(PDO $pdo, string $table, array $columns, array $rows): void
{
    foreach (array_chunk($rows, 1000) as $chunk) {
        $row = '(' . implode(',', array_fill(0, count($columns), '?')) . ')';
        $pdo->prepare("INSERT INTO $table (" . implode(',', $columns) . ') VALUES ' . implode(',', array_fill(0, count($chunk), $row)))
            ->execute(array_merge(...$chunk));
    }
}

mt_srand(7);
$t = microtime(true);
$customers = $orders = $states = $optOuts = $suppressed = [];
for ($id = 1; $id <= CUSTOMERS; $id++) {
    $email = "customer$id@example.org";
    $customers[] = [$id, $email];
    for ($n = mt_rand(0, 3); $n > 0; $n--) {
        $orders[] = [$id, mt_rand(0, 5) ? $email : "old$id@example.org", date('Y-m-d H:i:s', time() - mt_rand(0, 1000) * 86400)];
    }
    if (mt_rand(0, 1)) {
        $states[] = [$id, 'newsletter', mt_rand(0, 4) ? 'granted' : 'revoked', $id, $id, gmdate('Y-m-d H:i:s', time() - mt_rand(0, 900) * 86400), gmdate('Y-m-d H:i:s')];
    }
    if (mt_rand(0, 19) === 0) {
        $optOuts[] = [$id, mt_rand(0, 1) ? '*' : 'newsletter', gmdate('Y-m-d H:i:s', time() - mt_rand(0, 900) * 86400)];
    }
    if (mt_rand(0, 199) === 0) {
        $suppressed[] = [$id, '*', 'erased', gmdate('Y-m-d H:i:s')];
    }
}
bulk($pdo, 'customers', ['customers_id', 'customers_email_address'], $customers);
bulk($pdo, 'orders', ['customers_id', 'customers_email_address', 'date_purchased'], $orders);
bulk($pdo, 'dsgvo_consent_state', ['customer_id', 'purpose', 'status', 'event_id', 'grant_event_id', 'granted_at', 'updated_at'], $states);
bulk($pdo, 'dsgvo_opt_outs', ['customer_id', 'type', 'created_at'], $optOuts);
bulk($pdo, 'dsgvo_suppressions', ['customer_id', 'type', 'reason', 'created_at'], $suppressed);
$pdo->exec("UPDATE dsgvo_counters SET value = value + 1 WHERE name = 'catalog'");
$pdo->query('ANALYZE TABLE customers, orders, dsgvo_consent_state, dsgvo_opt_outs')->fetchAll();
printf("dataset: %d customers, %d orders, %d consents, %d objections (%.1f s)\n\n", CUSTOMERS, count($orders), count($states), count($optOuts), microtime(true) - $t);

// --- (a) one query per check ------------------------------------------------------------------------
$qCustomer = $pdo->prepare('SELECT customers_email_address FROM customers WHERE customers_id = ?');
$qSuppressed = $pdo->prepare('SELECT 1 FROM dsgvo_suppressions WHERE customer_id = ? LIMIT 1');
$qOptOut = $pdo->prepare("SELECT MAX(IF(type = '*', created_at, NULL)) AS all_at, MAX(IF(type = ?, created_at, NULL)) AS type_at FROM dsgvo_opt_outs WHERE customer_id = ? AND type IN ('*', ?)");
$qConsent = $pdo->prepare('SELECT status, granted_at FROM dsgvo_consent_state WHERE customer_id = ? AND purpose = ?');
$qOrders = $pdo->prepare('SELECT COUNT(*) AS n, MAX(IF(LOWER(TRIM(customers_email_address)) = LOWER(TRIM(?)), date_purchased, NULL)) AS newest FROM orders WHERE customers_id = ?');

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
$ordersColumns = ", (SELECT COUNT(*) FROM orders o WHERE o.customers_id = c.customers_id) AS n,
    (SELECT MAX(o.date_purchased) FROM orders o WHERE o.customers_id = c.customers_id
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
        $id = mt_rand(1, CUSTOMERS);
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
        "extension maySend() [$basis]" => function (int $n) use ($store, $type): void {
            for ($i = 0; $i < $n; $i++) {
                $store->maySend(mt_rand(1, CUSTOMERS), $type);
            }
        },
        "(a) PDO query per check [$basis]" => function (int $n) use ($naive, $type): void {
            for ($i = 0; $i < $n; $i++) {
                $naive(mt_rand(1, CUSTOMERS), $type);
            }
        },
        "(b) PDO tuned query [$basis]" => function (int $n) use ($tunedOne, $type): void {
            for ($i = 0; $i < $n; $i++) {
                $tunedOne(mt_rand(1, CUSTOMERS), $type);
            }
        },
    ];
    $results += bench_alternate("maySend, $basis type", $jobs, [
        ["extension maySend() [$basis]", "(a) PDO query per check [$basis]"],
        ["extension maySend() [$basis]", "(b) PDO tuned query [$basis]"],
    ], $rounds, $calls);
    echo "\n";
}

// --- (c) campaigns over all customers ---------------------------------------------------------------
$all = range(1, CUSTOMERS);
$setQuery = [
    'newsletter' => $pdo->prepare(sprintf($tunedSql, '', 'IS NOT NULL')),
    'winback' => $pdo->prepare(sprintf($tunedSql, $ordersColumns, 'IS NOT NULL')),
];
foreach (['newsletter' => 'consent', 'winback' => 'existing_customer'] as $type => $basis) {
    $set = function () use ($setQuery, $type): array {
        $q = $setQuery[$type];
        $q->execute([':t1' => $type, ':t2' => $type]);
        $ids = [];
        foreach ($q->fetchAll(PDO::FETCH_ASSOC) as $r) {
            if (rules($type === 'winback', $r['email'], (bool) $r['suppressed'], $r['all_at'], $r['type_at'], $r['status'], $r['granted_at'], (int) ($r['n'] ?? 0), $r['newest'] ?? null)) {
                $ids[] = true;
            }
        }
        return $ids;
    };
    $expected = count($set());
    $got = count($store->filterSendable($all, $type));
    if ($expected !== $got) {
        fwrite(STDERR, "set query allows $expected, filterSendable $got ($type)\n");
        exit(1);
    }
    $results += bench_alternate("campaign over " . CUSTOMERS . " customers, $basis type (us per customer)", [
        "extension filterSendable() [$basis]" => function (int $n) use ($store, $all, $type): void {
            $store->filterSendable($all, $type);
        },
        "(c2) PDO set query [$basis]" => function (int $n) use ($set): void {
            $set();
        },
        "(c1) PDO loop of (b) [$basis]" => function (int $n) use ($tunedOne, $all, $type): void {
            foreach ($all as $id) {
                $tunedOne($id, $type);
            }
        },
    ], [
        ["extension filterSendable() [$basis]", "(c2) PDO set query [$basis]"],
        ["extension filterSendable() [$basis]", "(c1) PDO loop of (b) [$basis]"],
    ], $campaignRounds, CUSTOMERS);
    echo "\n";
}
bench_drop_database('dsgvo_bench_decision');
