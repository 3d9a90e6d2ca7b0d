<?php
/**
 * Export of a customer with 200,000 send-log rows to a ZIP (JSON + CSV + HTML + manifest), timed
 * against `mariadb --batch` dumping the same rows, and the peak memory (VmHWM) of the PHP process
 * against exporting a customer with 1,000 rows (target: under 64 MiB more). Each export runs in its
 * own PHP process so the peaks are its own.
 * Rounds alternate the order of export and dump; the ratio is taken per round (min/median/max).
 *   scripts/bench export   (or: php -d extension=target/release/libdsgvo.so benches/export.php [rows] [rounds])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

$big = (int) ($argv[1] ?? 200000);
if (($argv[1] ?? '') === '--child') {
    // Child: export one customer, print seconds and peak RSS.
    [, , $dsn, $customer, $path] = $argv;
    $t = microtime(true);
    $manifest = (new Dsgvo\Store(['dsn' => $dsn]))->exportTo((int) $customer, $path, 'zip', ['overwrite' => true]);
    $seconds = microtime(true) - $t;
    preg_match('/VmHWM:\s+(\d+) kB/', (string) file_get_contents('/proc/self/status'), $m);
    echo json_encode(['seconds' => $seconds, 'peak_kib' => (int) $m[1], 'rows' => $manifest['rows'], 'bytes' => $manifest['bytes']]), "\n";
    exit(0);
}

$dsn = bench_database('dsgvo_bench_export');
(new Dsgvo\Store(['dsn' => $dsn]))->migrate();
$pdo = bench_pdo($dsn);
$t = microtime(true);
foreach ([[1, $big], [2, 1000]] as [$customer, $rows]) {
    $pdo->exec("INSERT INTO dsgvo_send_log (customer_id, type, email, subject, message_id, order_id, sent_at)
        SELECT $customer, 'newsletter', 'erika.mustermann@example.org', CONCAT('Unser Angebot Nr. ', seq),
               CONCAT('<', seq, '@shop.example>'), seq, UTC_TIMESTAMP(6) - INTERVAL seq MINUTE
        FROM seq_1_to_$rows");
}
printf("dataset: customer 1 with %d sends, customer 2 with 1,000 (%.1f s)\n", $big, microtime(true) - $t);

$run = function (int $customer) use ($dsn): array {
    $path = sys_get_temp_dir() . "/dsgvo-bench-export-$customer.zip";
    $cmd = [PHP_BINARY, '-d', 'extension=' . (getenv('DSGVO_EXT') ?: dirname(__DIR__) . '/target/release/libdsgvo.so'), __FILE__, '--child', $dsn, (string) $customer, $path];
    $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    proc_close($proc);
    @unlink($path);
    $result = json_decode((string) $out, true);
    if (!is_array($result)) {
        fwrite(STDERR, "child failed: $err\n");
        exit(1);
    }
    return $result;
};

$p = bench_parts($dsn);
$dump = function () use ($p): ?float {
    $client = trim((string) shell_exec('command -v mariadb || command -v mysql'));
    if ($client === '') {
        return null;
    }
    $cmd = sprintf('%s --batch -h %s -P %d -u %s %s %s -e %s > /dev/null', $client, escapeshellarg($p['host']), $p['port'],
        escapeshellarg($p['user']), $p['pass'] !== '' ? '-p' . escapeshellarg($p['pass']) : '', escapeshellarg($p['db']),
        escapeshellarg('SELECT * FROM dsgvo_send_log WHERE customer_id = 1'));
    $t = microtime(true);
    shell_exec($cmd);
    return microtime(true) - $t;
};

// Rounds alternate which side runs first, so drift on a shared machine hits both alike; the ratio is
// taken per round and printed as min/median/max.
$rounds = (int) ($argv[2] ?? 5);
$exports = $dumps = $small = $ratios = [];
for ($r = 0; $r < $rounds; $r++) {
    if ($r % 2 === 0) {
        $export = $run(1);
        $dumped = $dump();
    } else {
        $dumped = $dump();
        $export = $run(1);
    }
    $exports[] = $export;
    $dumps[] = $dumped;
    if ($dumped !== null) {
        $ratios[] = $export['seconds'] / $dumped;
    }
    $small[] = $run(2);
}
$seconds = median(array_column($exports, 'seconds'));
printf("export of %d rows to ZIP (%d rounds): median %.2f s (min %.2f, max %.2f; %d bytes), peak RSS %.1f MiB\n", $exports[0]['rows'], $rounds, $seconds,
    min(array_column($exports, 'seconds')), max(array_column($exports, 'seconds')), $exports[0]['bytes'], median(array_column($exports, 'peak_kib')) / 1024);
if ($ratios !== []) {
    printf("mariadb --batch dump of the same rows: median %.2f s (min %.2f, max %.2f)\n", median($dumps), min($dumps), max($dumps));
    printf("ratio export / dump per round: median %.2f (min %.2f, max %.2f)\n", median($ratios), min($ratios), max($ratios));
} else {
    echo "no mariadb/mysql client found: dump not measured\n";
}
$extra = (median(array_column($exports, 'peak_kib')) - median(array_column($small, 'peak_kib'))) / 1024;
printf("peak RSS, 1,000-row customer: %.1f MiB; the large export needs %.1f MiB more (target: under 64)\n", median(array_column($small, 'peak_kib')) / 1024, $extra);
bench_drop_database('dsgvo_bench_export');
