<?php
/**
 * applyTagRules against the hand-written INSERT … SELECT set statement of each rule, side by side, on the real
 * osCommerce 2.3.4.1 schema (../shared/fixtures/shop-schemas/oscommerce2.sql) with 100,000 customers and 300,000
 * orders: one rule of each condition kind (min_orders, min_spent, bought_categories, ordered_within_days,
 * no_order_for_days, account_age_days, min_rating).
 *
 * Each round clears the rule's tags and waits for InnoDB's purge of them (untimed), then times the extension's run of that one rule and the reference
 * statement (which writes the same rows into the same table), in alternating order. The reference applies the
 * same conditions and the same "may be tagged" checks (objection to all mail or to personalisation by customer id,
 * suppression by customer id, restriction); the extension also runs its DELETE of rule tags that no longer match
 * and counts the matching customers. Both must tag the same customers, which is checked before timing.
 *
 *   php -d extension=target/release/libdsgvo.so benches/tagging.php [customers=100000] [rounds=5] [rule,rule...]
 * A smoke run that only proves the harness works: benches/tagging.php 1000 1
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

$customers = (int) ($argv[1] ?? 100000);
$rounds = (int) ($argv[2] ?? 5);
$only = isset($argv[3]) ? explode(',', $argv[3]) : null;
if (Dsgvo\Tests\ShopSchemas::directory() === null) {
    fwrite(STDERR, Dsgvo\Tests\ShopSchemas::skipReason() . "\n");
    exit(2);
}

$dsn = bench_database('dsgvo_bench_tagging');
$pdo = bench_pdo($dsn, true) ?? bench_pdo($dsn);
$pdo->setAttribute(PDO::MYSQL_ATTR_USE_BUFFERED_QUERY, true);
Dsgvo\Tests\ShopSchemas::load($pdo, 'oscommerce2.sql');
$pdo->exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
$store = new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce']);
$store->migrate();

/** @param list<list<mixed>> $rows */
function bulk(PDO $pdo, string $table, array $columns, array $rows): void
{
    foreach (array_chunk($rows, 1000) as $chunk) {
        $row = '(' . implode(',', array_fill(0, count($columns), '?')) . ')';
        $pdo->prepare("INSERT INTO $table (" . implode(',', $columns) . ') VALUES ' . implode(',', array_fill(0, count($chunk), $row)))
            ->execute(array_merge(...$chunk));
    }
}

mt_srand(22);
$t = microtime(true);
bulk($pdo, 'orders_status', ['orders_status_id', 'language_id', 'orders_status_name'], [[1, 1, 'Pending'], [2, 1, 'Delivered'], [3, 1, 'Cancelled']]);
$tree = [];
for ($c = 1; $c <= 60; $c++) {
    $tree[] = [$c, $c <= 8 ? 0 : mt_rand(1, $c - 1)];
}
bulk($pdo, 'categories', ['categories_id', 'parent_id'], $tree);
$inCategory = [];
for ($p = 1; $p <= 2000; $p++) {
    $inCategory[] = [$p, mt_rand(1, 60)];
}
bulk($pdo, 'products_to_categories', ['products_id', 'categories_id'], $inCategory);
$orderId = 0;
$rows = ['customers' => [], 'info' => [], 'orders' => [], 'products' => [], 'totals' => [], 'sends' => [], 'ratings' => [], 'opt_outs' => []];
$flush = function () use ($pdo, &$rows): void {
    bulk($pdo, 'customers', ['customers_id', 'customers_firstname', 'customers_lastname', 'customers_email_address'], $rows['customers']);
    bulk($pdo, 'customers_info', ['customers_info_id', 'customers_info_date_account_created'], $rows['info']);
    bulk($pdo, 'orders', ['orders_id', 'customers_id', 'customers_name', 'customers_email_address', 'date_purchased', 'orders_status'], $rows['orders']);
    bulk($pdo, 'orders_products', ['orders_id', 'products_id', 'products_name', 'products_quantity'], $rows['products']);
    bulk($pdo, 'orders_total', ['orders_id', 'title', 'text', 'value', 'class', 'sort_order'], $rows['totals']);
    bulk($pdo, 'dsgvo_send_log', ['id', 'customer_id', 'type', 'sent_at'], $rows['sends']);
    bulk($pdo, 'dsgvo_email_ratings', ['send_id', 'customer_id', 'rating', 'rated_at'], $rows['ratings']);
    bulk($pdo, 'dsgvo_opt_outs', ['customer_id', 'type', 'created_at'], $rows['opt_outs']);
    $rows = array_map(fn () => [], $rows);
};
for ($id = 1; $id <= $customers; $id++) {
    $email = "customer$id@example.org";
    $rows['customers'][] = [$id, 'Erika', 'Muster', $email];
    $rows['info'][] = [$id, date('Y-m-d H:i:s', time() - mt_rand(0, 2000) * 86400)];
    // Three orders a customer on average (0 to 6).
    for ($n = mt_rand(0, 6); $n > 0; $n--) {
        $orderId++;
        $rows['orders'][] = [$orderId, $id, 'Erika Muster', $email, date('Y-m-d H:i:s', time() - mt_rand(0, 1500) * 86400), mt_rand(0, 9) === 0 ? 3 : mt_rand(1, 2)];
        $rows['products'][] = [$orderId, mt_rand(1, 2000), 'Produkt', 1];
        if (mt_rand(0, 1)) {
            $rows['products'][] = [$orderId, mt_rand(1, 2000), 'Produkt', 1];
        }
        $total = mt_rand(500, 30000) / 100;
        $rows['totals'][] = [$orderId, 'Zwischensumme:', '', $total, 'ot_subtotal', 1];
        $rows['totals'][] = [$orderId, 'Summe:', '', $total + 4.9, 'ot_total', 4];
    }
    if (mt_rand(0, 4) === 0) {
        $rows['sends'][] = [$id, $id, 'newsletter', gmdate('Y-m-d H:i:s')];
        $rows['ratings'][] = [$id, $id, mt_rand(1, 5), gmdate('Y-m-d H:i:s')];
    }
    if (mt_rand(0, 49) === 0) {
        $rows['opt_outs'][] = [$id, mt_rand(0, 1) ? '*' : 'personalisation', gmdate('Y-m-d H:i:s')];
    }
    if (count($rows['orders']) > 20000) {
        $flush();
    }
}
$flush();
$pdo->query('ANALYZE TABLE customers, customers_info, orders, orders_products, orders_total, products_to_categories, dsgvo_email_ratings, dsgvo_opt_outs')->fetchAll();
printf("dataset: %d customers, %d orders, osCommerce 2.3.4.1 schema (%.1f s)\n\n", $customers, $orderId, microtime(true) - $t);

/** The categories with their subcategories (the reference lists them, as a hand-written query would). */
function subtree(array $tree, int $root): array
{
    $out = [$root];
    for ($i = 0; $i < count($out); $i++) {
        foreach ($tree as [$c, $parent]) {
            if ($parent === $out[$i] && !in_array($c, $out, true)) {
                $out[] = $c;
            }
        }
    }
    return $out;
}

$sale = 'o.customers_id = c.customers_id AND o.orders_status NOT IN (3)';
$categories = implode(',', subtree($tree, 1));
$rules = [
    'min_orders' => [['min_orders' => 4], "(SELECT COUNT(*) FROM orders o WHERE $sale) >= 4"],
    'min_spent' => [['min_spent' => 500], "(SELECT COALESCE(SUM(t.value), 0) FROM orders o JOIN orders_total t ON t.orders_id = o.orders_id AND t.class = 'ot_total' WHERE $sale) >= 500"],
    'bought_categories' => [['bought_categories' => [1]], "EXISTS(SELECT 1 FROM orders o WHERE $sale AND EXISTS(SELECT 1 FROM orders_products op JOIN products_to_categories pc ON pc.products_id = op.products_id WHERE op.orders_id = o.orders_id AND pc.categories_id IN ($categories)))"],
    'ordered_within_days' => [['ordered_within_days' => 180], "EXISTS(SELECT 1 FROM orders o WHERE $sale AND o.date_purchased >= NOW() - INTERVAL 180 DAY)"],
    'no_order_for_days' => [['no_order_for_days' => 365], "EXISTS(SELECT 1 FROM orders o WHERE $sale) AND NOT EXISTS(SELECT 1 FROM orders o WHERE $sale AND o.date_purchased >= NOW() - INTERVAL 365 DAY)"],
    'account_age_days' => [['account_age_days' => 1000], 'EXISTS(SELECT 1 FROM customers_info ci WHERE ci.customers_info_id = c.customers_id AND ci.customers_info_date_account_created <= NOW() - INTERVAL 1000 DAY)'],
    'min_rating' => [['min_rating' => 4], 'EXISTS(SELECT 1 FROM dsgvo_email_ratings r WHERE r.customer_id = c.customers_id AND r.rating >= 4)'],
];
// The checks every tag needs: no objection to all mail or personalisation, no suppression, no restriction.
$eligible = "NOT EXISTS(SELECT 1 FROM dsgvo_opt_outs x WHERE x.customer_id = c.customers_id AND x.type IN ('*', 'personalisation'))
    AND NOT EXISTS(SELECT 1 FROM dsgvo_suppressions s WHERE s.customer_id = c.customers_id)
    AND COALESCE((SELECT r.action = 'restrict' FROM dsgvo_restrictions r WHERE r.customer_id = c.customers_id ORDER BY r.id DESC LIMIT 1), 0) = 0";

$clear = $pdo->prepare('DELETE FROM dsgvo_tags WHERE tag = ?');
$tagged = $pdo->prepare('SELECT customer_id FROM dsgvo_tags WHERE tag = ? ORDER BY customer_id');
$ids = function (string $tag) use ($tagged): array {
    $tagged->execute([$tag]);
    return $tagged->fetchAll(PDO::FETCH_COLUMN);
};
$summary = [];
foreach ($rules as $kind => [$conditions, $condition]) {
    if ($only !== null && !in_array($kind, $only, true)) {
        continue;
    }
    $tag = str_replace('_', '.', $kind);
    $store->defineTagRule($kind, $tag, $conditions);
    $reference = $pdo->prepare("INSERT INTO dsgvo_tags (customer_id, tag, rule, set_by, set_at)
        SELECT c.customers_id, ?, ?, 'rule', UTC_TIMESTAMP(6) FROM customers c
        WHERE ($condition) AND $eligible
          AND NOT EXISTS(SELECT 1 FROM dsgvo_tags t WHERE t.customer_id = c.customers_id AND t.tag = ?)");
    $jobs = [
        'extension applyTagRules()' => function () use ($store, $kind): void {
            $store->applyTagRules(['rules' => [$kind]]);
        },
        'hand-written INSERT ... SELECT' => function () use ($reference, $tag, $kind): void {
            $reference->execute([$tag, $kind, $tag]);
        },
    ];
    // Same work: both tag the same customers.
    $clear->execute([$tag]);
    $jobs['extension applyTagRules()']();
    $byExtension = $ids($tag);
    $clear->execute([$tag]);
    $jobs['hand-written INSERT ... SELECT']();
    if ($ids($tag) !== $byExtension) {
        fwrite(STDERR, "$kind: the reference tags " . count($ids($tag)) . ' customers, the extension ' . count($byExtension) . "\n");
        exit(1);
    }
    $summary[$kind] = bench_seconds(sprintf('%s (%d customers tagged)', $kind, count($byExtension)), $jobs,
        'extension applyTagRules()', 'hand-written INSERT ... SELECT', $rounds, function () use ($clear, $tag, $pdo): void {
            $clear->execute([$tag]);
            bench_quiesce($pdo);
        });
}
echo "summary (contract: under 2 s a rule, within 1.5x of the reference)\n";
foreach ($summary as $kind => [$seconds, $ratio]) {
    printf("  %-22s %7.3f s  ratio %.2f\n", $kind, $seconds, $ratio);
}
bench_drop_database('dsgvo_bench_tagging');
