<?php
/**
 * "Customers also bought": refreshRecommendations() over 1,000,000 order lines of 100,000 customers and
 * 5,000 products, against the same computation as one SQL self-join run through PDO (distinct products
 * per customer joined with themselves, grouped by pair, kept from k customers on, written to a table).
 * Each run is its own PHP process so its peak memory (VmHWM) is its own; the runs alternate. Both results
 * are compared pair by pair before any time is reported.
 *   scripts/bench recommend   (or: php -d extension=target/release/libdsgvo.so benches/recommend.php [lines])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

const K = 5;

/** Peak resident memory of this process in KiB. */
function peak_kib(): int
{
    preg_match('/VmHWM:\s+(\d+) kB/', (string) file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
}

if (($argv[1] ?? '') === '--child') {
    [, , $job, $dsn] = $argv;
    $t = microtime(true);
    if ($job === 'dsgvo') {
        $result = (new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce', 'recommend_min_customers' => K]))->refreshRecommendations();
        $pairs = $result['pairs_kept'];
    } elseif ($job === 'sql') {
        $pdo = bench_pdo($dsn);
        // The reference: one self-join over each customer's distinct products (accounts by id, guests by
        // address, objectors to personalisation left out), pairs a < b from K customers on, then both
        // directions into the table alsoBought() would read.
        $pdo->exec('DROP TABLE IF EXISTS ref_pairs');
        $pdo->exec('CREATE TABLE ref_pairs (product_id INT UNSIGNED NOT NULL, other_id INT UNSIGNED NOT NULL,
            customers INT UNSIGNED NOT NULL, PRIMARY KEY (product_id, other_id))');
        $pairs = $pdo->exec("INSERT INTO ref_pairs
            WITH bought AS (
              SELECT DISTINCT IF(o.customers_id > 0, CONCAT('#', o.customers_id), LOWER(TRIM(o.customers_email_address))) AS c,
                     op.products_id AS p
              FROM orders o JOIN orders_products op ON op.orders_id = o.orders_id
              WHERE o.customers_id = 0 OR NOT EXISTS (SELECT 1 FROM dsgvo_opt_outs x
                    WHERE x.customer_id = o.customers_id AND x.type IN ('*', 'personalisation')))
            SELECT a.p, b.p, COUNT(*) FROM bought a JOIN bought b ON b.c = a.c AND b.p > a.p
            GROUP BY a.p, b.p HAVING COUNT(*) >= " . K);
        $pdo->exec('INSERT INTO ref_pairs SELECT other_id, product_id, customers FROM ref_pairs');
    } else {
        $pairs = 0; // 'idle': the process with the extension loaded, for the baseline
    }
    echo json_encode(['seconds' => microtime(true) - $t, 'peak_kib' => peak_kib(), 'pairs' => $pairs]), "\n";
    exit(0);
}

$lines = (int) ($argv[1] ?? 1000000);
$customers = 100000;
$products = 5000;
$orders = intdiv($lines, 4);
$name = 'dsgvo_bench_recommend';
$dsn = bench_database($name);
$pdo = bench_pdo($dsn);
$t = microtime(true);
Dsgvo\Tests\ShopSchemas::loadMinimal($pdo);
$pdo->exec("INSERT INTO customers (customers_id, customers_email_address) SELECT seq, CONCAT('c', seq, '@example.org') FROM seq_1_to_$customers");
// Every tenth order is a guest's (20,000 guest addresses); account orders spread over all customers.
$pdo->exec("INSERT INTO orders (orders_id, customers_id, customers_email_address, date_purchased)
    SELECT seq, IF(seq % 10 = 0, 0, 1 + (seq * 7919) % $customers),
           IF(seq % 10 = 0, CONCAT('Guest', seq % 20000, '@Example.org'), CONCAT('c', 1 + (seq * 7919) % $customers, '@example.org')),
           NOW() - INTERVAL seq % 700 DAY
    FROM seq_1_to_$orders");
// Four lines per order; popular products much more often (squared uniform), as in a real catalogue.
$pdo->exec("INSERT INTO orders_products (orders_id, products_id, products_name)
    SELECT o.seq, 1 + FLOOR($products * POW(RAND(20261129), 2)), 'Produkt' FROM seq_1_to_$orders o, seq_1_to_4 l");
$store = new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce']);
$store->migrate();
for ($i = 1; $i <= 1000; $i++) {
    $store->optOut($i * 97, $i % 2 ? 'personalisation' : '*'); // some objectors, left out by both
}
printf("dataset: %d order lines, %d orders, %d customers (+ guests), %d products, k = %d (%.1f s)\n",
    (int) $pdo->query('SELECT COUNT(*) FROM orders_products')->fetchColumn(), $orders, $customers, $products, K, microtime(true) - $t);

$run = function (string $job) use ($dsn): array {
    $cmd = [PHP_BINARY, '-d', 'extension=' . (getenv('DSGVO_EXT') ?: dirname(__DIR__) . '/target/release/libdsgvo.so'), __FILE__, '--child', $job, $dsn];
    $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    proc_close($proc);
    $result = json_decode((string) $out, true);
    if (!is_array($result)) {
        fwrite(STDERR, "$job run failed: $out $err\n");
        exit(1);
    }
    return $result;
};

$rounds = getenv('DSGVO_BENCH_ROUNDS') === false ? 3 : (int) getenv('DSGVO_BENCH_ROUNDS');
if ($rounds === 0) {
    exit(0); // DSGVO_BENCH_ROUNDS=0 DSGVO_BENCH_KEEP=1: only build the dataset
}
$results = ['dsgvo' => [], 'sql' => [], 'idle' => []];
for ($r = 0; $r < $rounds; $r++) {
    foreach ($r % 2 ? ['sql', 'dsgvo', 'idle'] : ['dsgvo', 'sql', 'idle'] as $job) {
        $results[$job][] = $run($job);
    }
    if ($r === 0) {
        // Same pairs, same counts, or the comparison means nothing.
        $diff = (int) $pdo->query('SELECT COUNT(*) FROM (
            SELECT product_id, other_id, customers FROM dsgvo_recommendations
            UNION ALL SELECT product_id, other_id, customers FROM ref_pairs) u
            GROUP BY product_id, other_id, customers HAVING COUNT(*) <> 2 LIMIT 1')->fetchColumn();
        $ours = (int) $pdo->query('SELECT COUNT(*) FROM dsgvo_recommendations')->fetchColumn();
        if ($diff !== 0 || $ours !== (int) $pdo->query('SELECT COUNT(*) FROM ref_pairs')->fetchColumn()) {
            fwrite(STDERR, "the extension and the SQL reference disagree on the pairs\n");
            exit(1);
        }
        printf("both publish the same %d pair rows (%d pairs kept, both directions)\n", $ours, $results['dsgvo'][0]['pairs']);
    }
}
$idle = median(array_column($results['idle'], 'peak_kib'));
$seconds = ['dsgvo' => median(array_column($results['dsgvo'], 'seconds')), 'sql' => median(array_column($results['sql'], 'seconds'))];
$ratios = [];
for ($r = 0; $r < $rounds; $r++) {
    $ratios[] = $results['sql'][$r]['seconds'] / $results['dsgvo'][$r]['seconds'];
}
printf("refresh (%d rounds, each in its own process)\n", $rounds);
printf("  dsgvo refreshRecommendations()        median %6.2f s, peak RSS %6.1f MiB (+%.1f MiB over an idle PHP with the extension)\n",
    $seconds['dsgvo'], median(array_column($results['dsgvo'], 'peak_kib')) / 1024, (median(array_column($results['dsgvo'], 'peak_kib')) - $idle) / 1024);
printf("  SQL self-join through PDO             median %6.2f s, peak RSS %6.1f MiB in PHP (the work and its memory are in the server)\n",
    $seconds['sql'], median(array_column($results['sql'], 'peak_kib')) / 1024);
printf("  ratio self-join / dsgvo: median %.2f (min %.2f, max %.2f): dsgvo is %.1fx faster (target: at least 3x)\n",
    median($ratios), min($ratios), max($ratios), median($ratios));
if (!getenv('DSGVO_BENCH_KEEP')) {
    bench_drop_database($name);
}
