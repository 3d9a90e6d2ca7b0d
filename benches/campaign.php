<?php
/**
 * A campaign over a million customers on the real osCommerce 2.3.4.1 schema (benches/lib/campaign_data.php: about
 * 1.5 million orders, 15% consents, 10% objections): filterSendable(null, $type), the shop's tables read by scans
 * on two connections and every customer judged in the extension, against the one set statement a developer writes
 * (campaign_reference()), alternating in one process. Both must allow the same customers (checked before timing).
 * Target (issue 20): under 2 s a campaign on this 2-core machine.
 *
 *   scripts/bench campaign   (or: php -d extension=target/release/libdsgvo.so benches/campaign.php
 *                             [customers=1000000] [rounds=5] [schema=oscommerce2|minimal])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';
require __DIR__ . '/lib/campaign_data.php';

$customers = (int) ($argv[1] ?? 1000000);
$rounds = (int) ($argv[2] ?? 5);
$schema = $argv[3] ?? 'oscommerce2';
[$dsn, $pdo, $store] = campaign_shop('dsgvo_bench_campaign', $schema, $customers, bin2hex(random_bytes(32)));

$summary = [];
foreach (['newsletter' => 'consent', 'winback' => 'existing_customer'] as $type => $basis) {
    $expected = campaign_reference($pdo, $type);
    $got = $store->filterSendable(null, $type);
    if ($got !== $expected) {
        fwrite(STDERR, sprintf("%s: the set statement allows %d customers, filterSendable(null) %d\n", $type, count($expected), count($got)));
        exit(1);
    }
    $jobs = [
        'extension filterSendable(null)' => fn () => $store->filterSendable(null, $type),
        'PDO set statement' => fn () => campaign_reference($pdo, $type),
    ];
    $summary[$type] = bench_seconds(sprintf('%s type (%s): %d of %d customers allowed', $type, $basis, count($expected), $customers),
        $jobs, 'extension filterSendable(null)', 'PDO set statement', $rounds);
}
echo "summary (target: under 2 s a campaign)\n";
foreach ($summary as $type => [$seconds, $ratio]) {
    printf("  %-12s %6.3f s  ratio %.2f\n", $type, $seconds, $ratio);
}
bench_drop_database('dsgvo_bench_campaign');
