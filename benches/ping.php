<?php
/**
 * Round trip through the extension (Store::ping(), COM_PING on the held connection) against the same
 * round trip in plain PHP (PDO, SELECT 1 over TCP to the same server), alternating in one process.
 *   scripts/bench ping     (or: php -d extension=target/release/libdsgvo.so benches/ping.php [rounds] [calls])
 * Prints per-call medians and the median of the per-round ratios (extension / PDO; below 1 = faster).
 */
declare(strict_types=1);

$rounds = (int) ($argv[1] ?? 31);
$calls = (int) ($argv[2] ?? 2000);
$dsn = getenv('DSGVO_DSN') ?: 'mysql://root@127.0.0.1:3306/test';
$u = parse_url($dsn);

$store = new Dsgvo\Store(['dsn' => $dsn]);
$pdo = new PDO(
    sprintf('mysql:host=%s;port=%d;dbname=%s', $u['host'] ?? '127.0.0.1', $u['port'] ?? 3306, ltrim($u['path'] ?? '', '/')),
    urldecode($u['user'] ?? 'root'),
    urldecode($u['pass'] ?? ''),
    [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]
);

// mysql_async moves a loopback TCP connection to the server's unix socket (prefer_socket), so PDO is
// measured over both transports.
$socket = (string) $pdo->query('SELECT @@socket')->fetchColumn();
$pdoSocket = null;
if ($socket !== '' && file_exists($socket)) {
    $pdoSocket = new PDO(
        sprintf('mysql:unix_socket=%s;dbname=%s', $socket, ltrim($u['path'] ?? '', '/')),
        urldecode($u['user'] ?? 'root'),
        urldecode($u['pass'] ?? ''),
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]
    );
}

$jobs = [
    'extension ping()' => function () use ($store, $calls): void {
        for ($i = 0; $i < $calls; $i++) {
            $store->ping();
        }
    },
    'PDO SELECT 1' => function () use ($pdo, $calls): void {
        for ($i = 0; $i < $calls; $i++) {
            $pdo->query('SELECT 1')->fetchColumn();
        }
    },
];
if ($pdoSocket !== null) {
    $jobs['PDO SELECT 1 (socket)'] = function () use ($pdoSocket, $calls): void {
        for ($i = 0; $i < $calls; $i++) {
            $pdoSocket->query('SELECT 1')->fetchColumn();
        }
    };
}
// Warm up: connections, statement caches, CPU frequency.
foreach ($jobs as $job) {
    $job();
}

$times = array_fill_keys(array_keys($jobs), []);
$ratios = ['TCP' => []];
for ($r = 0; $r < $rounds; $r++) {
    $names = array_keys($jobs);
    // Rotate the order every round so drift hits every side alike.
    for ($k = 0; $k < $r % count($names); $k++) {
        $names[] = array_shift($names);
    }
    $round = [];
    foreach ($names as $name) {
        $t = hrtime(true);
        $jobs[$name]();
        $round[$name] = (hrtime(true) - $t) / $calls / 1000; // µs per call
        $times[$name][] = $round[$name];
    }
    $ratios['TCP'][] = $round['extension ping()'] / $round['PDO SELECT 1'];
    if (isset($round['PDO SELECT 1 (socket)'])) {
        $ratios['socket'][] = $round['extension ping()'] / $round['PDO SELECT 1 (socket)'];
    }
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

printf("round trip, %d rounds x %d calls, server %s:%s\n", $rounds, $calls, $u['host'] ?? '127.0.0.1', $u['port'] ?? 3306);
foreach ($times as $name => $xs) {
    printf("  %-18s median %7.2f us/call\n", $name, median($xs));
}
foreach ($ratios as $transport => $xs) {
    printf("  ratio extension / PDO over %-6s median %.2f (min %.2f, max %.2f)\n", $transport . ':', median($xs), min($xs), max($xs));
}
