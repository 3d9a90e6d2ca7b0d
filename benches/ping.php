<?php
/**
 * Round trip through the extension (Store::ping(), COM_PING on the held connection) against the same
 * round trip in plain PHP (PDO, SELECT 1) over TCP and over the unix socket (mysql_async moves a
 * loopback TCP connection to the socket), alternating in one process.
 *   scripts/bench ping   (or: php -d extension=target/release/libdsgvo.so benches/ping.php [rounds] [calls])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

$rounds = (int) ($argv[1] ?? 31);
$calls = (int) ($argv[2] ?? 2000);
$store = new Dsgvo\Store(['dsn' => bench_dsn()]);
$tcp = bench_pdo(bench_dsn());
$socket = bench_pdo(bench_dsn(), true);

$jobs = [
    'extension ping()' => function (int $n) use ($store): void {
        for ($i = 0; $i < $n; $i++) {
            $store->ping();
        }
    },
    'PDO SELECT 1 (TCP)' => function (int $n) use ($tcp): void {
        for ($i = 0; $i < $n; $i++) {
            $tcp->query('SELECT 1')->fetchColumn();
        }
    },
];
$pairs = [['extension ping()', 'PDO SELECT 1 (TCP)']];
if ($socket !== null) {
    $jobs['PDO SELECT 1 (socket)'] = function (int $n) use ($socket): void {
        for ($i = 0; $i < $n; $i++) {
            $socket->query('SELECT 1')->fetchColumn();
        }
    };
    $pairs[] = ['extension ping()', 'PDO SELECT 1 (socket)'];
}
bench_alternate('round trip', $jobs, $pairs, $rounds, $calls);
