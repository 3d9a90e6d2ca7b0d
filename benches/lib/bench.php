<?php
/**
 * Shared helpers of the benchmarks: a bench database, PDO connections, and the alternating runner
 * that times each job and its plain-PHP reference side by side in one process.
 */
declare(strict_types=1);

if (!extension_loaded('dsgvo')) {
    fwrite(STDERR, "run with: php -d extension=target/release/libdsgvo.so " . ($argv[0] ?? '') . "\n");
    exit(2);
}

// The benchmarks read DSNs and build the minimal shop the way the tests do.
require_once __DIR__ . '/../../tests/php/support/TestDatabase.php';
require_once __DIR__ . '/../../tests/php/support/ShopSchemas.php';

function bench_dsn(): string
{
    return getenv('DSGVO_DSN') ?: 'mysql://root@127.0.0.1:3306/test';
}

/** @return array{host: string, port: int, user: string, pass: string, db: string} */
function bench_parts(string $dsn): array
{
    return Dsgvo\Tests\TestDatabase::parts($dsn);
}

/** PDO over TCP to the DSN's host and port, or over the server's unix socket. */
function bench_pdo(string $dsn, bool $socket = false): ?PDO
{
    $p = bench_parts($dsn);
    $tcp = new PDO(sprintf('mysql:host=%s;port=%d;dbname=%s', $p['host'], $p['port'], $p['db']), $p['user'], $p['pass'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    if (!$socket) {
        return $tcp;
    }
    $path = (string) $tcp->query('SELECT @@socket')->fetchColumn();
    if ($path === '' || !file_exists($path)) {
        return null;
    }
    return new PDO(sprintf('mysql:unix_socket=%s;dbname=%s', $path, $p['db']), $p['user'], $p['pass'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
}

/** Creates (anew) a database next to the DSN's; returns its mysql:// URL. */
function bench_database(string $name): string
{
    $dsn = bench_dsn();
    $admin = bench_pdo($dsn);
    $admin->exec("DROP DATABASE IF EXISTS `$name`");
    $admin->exec("CREATE DATABASE `$name` CHARACTER SET utf8mb4");
    return Dsgvo\Tests\TestDatabase::withDatabase($dsn, $name);
}

function bench_drop_database(string $name): void
{
    bench_pdo(bench_dsn())->exec("DROP DATABASE IF EXISTS `$name`");
}

/** @param list<float> $xs */
function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

/**
 * Runs every job $rounds times, rotating their order each round so drift hits all alike; each job
 * makes $calls calls. Prints microseconds per call (median over rounds) and, for each pair
 * [subject, reference], the median of the per-round ratios subject/reference (below 1: faster).
 *
 * @param array<string, callable(int): void> $jobs name => function(int $calls)
 * @param list<array{0: string, 1: string}> $pairs
 * @return array<string, float> "subject / reference" => median ratio
 */
function bench_alternate(string $title, array $jobs, array $pairs, int $rounds, int $calls): array
{
    foreach ($jobs as $job) {
        $job(max(1, intdiv($calls, 10))); // warm up
    }
    $times = array_fill_keys(array_keys($jobs), []);
    for ($r = 0; $r < $rounds; $r++) {
        $names = array_keys($jobs);
        for ($k = 0; $k < $r % count($names); $k++) {
            $names[] = array_shift($names);
        }
        foreach ($names as $name) {
            $t = hrtime(true);
            $jobs[$name]($calls);
            $times[$name][$r] = (hrtime(true) - $t) / $calls / 1000;
        }
    }
    printf("%s (%d rounds x %d calls)\n", $title, $rounds, $calls);
    foreach ($times as $name => $xs) {
        printf("  %-40s median %8.2f us/call\n", $name, median($xs));
    }
    $out = [];
    foreach ($pairs as [$subject, $reference]) {
        $ratios = [];
        for ($r = 0; $r < $rounds; $r++) {
            $ratios[] = $times[$subject][$r] / $times[$reference][$r];
        }
        $out["$subject / $reference"] = median($ratios);
        printf("  ratio %-50s median %.2f (min %.2f, max %.2f)\n", "$subject / $reference:", median($ratios), min($ratios), max($ratios));
    }
    return $out;
}

/**
 * Times each job once a round for $rounds rounds, the order reversed every other round ($before runs untimed
 * before each job); prints seconds per job (median, min, max) and the per-round ratio subject / reference.
 *
 * @param array<string, callable(): mixed> $jobs name => job
 * @return array{0: float, 1: float} the subject's median seconds and the median ratio
 */
function bench_seconds(string $title, array $jobs, string $subject, string $reference, int $rounds, ?callable $before = null): array
{
    $times = array_fill_keys(array_keys($jobs), []);
    for ($r = 0; $r < $rounds; $r++) {
        $names = array_keys($jobs);
        if ($r % 2) {
            $names = array_reverse($names);
        }
        foreach ($names as $name) {
            if ($before !== null) {
                $before();
            }
            $t = hrtime(true);
            $jobs[$name]();
            $times[$name][] = (hrtime(true) - $t) / 1e9;
        }
    }
    $ratios = array_map(fn ($a, $b) => $a / $b, $times[$subject], $times[$reference]);
    printf("%s, %d rounds\n", $title, $rounds);
    foreach ($times as $name => $xs) {
        printf("  %-34s median %7.3f s (min %.3f, max %.3f)\n", $name, median($xs), min($xs), max($xs));
    }
    printf("  ratio extension / reference          median %.2f (min %.2f, max %.2f)\n\n", median($ratios), min($ratios), max($ratios));
    return [median($times[$subject]), median($ratios)];
}

/**
 * Waits (up to 30 s) until InnoDB has purged what earlier deletes left (history list under 100), so that a timed
 * statement does not share the server with the purge of the round before it.
 */
function bench_quiesce(PDO $pdo): void
{
    $q = $pdo->prepare("SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'");
    for ($until = microtime(true) + 30; microtime(true) < $until; usleep(100000)) {
        $q->execute();
        $length = $q->fetchColumn();
        if ($length === false || (int) $length < 100) {
            return;
        }
    }
}
