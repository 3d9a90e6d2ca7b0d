<?php
/**
 * The robustness run (issue: "Under PHP-FPM load, database outages and hostile input it keeps working and
 * loses nothing"). Real parts only: a private MariaDB, the php-fpm of the PHP that runs this (php-fpm8.2;
 * php-fpm8.4 under scripts/php84; pm=static, 4 workers, max_requests 200) behind nginx, all on loopback,
 * everything stopped at the end.
 *
 *   scripts/robustness            short run (CI: load 5,000 requests, fuzz 20,000 calls, memory 2,000 calls)
 *   scripts/robustness --full     load 50,000 requests, memory 100,000 calls per method
 *
 * Phases: load (16 connections; no 5xx, no crash or hang in the FPM log, every acknowledged objection and
 * send in the database, latency percentiles), outage (the database killed for 5 s under load: 503 with the
 * DatabaseException, no request past the timeouts, recovery within 5 s without restarting FPM, no
 * acknowledged write lost), fuzz (tests/robustness/fuzz.php), memory (tests/robustness/memory.php).
 */
declare(strict_types=1);

require __DIR__ . '/lib.php';

$full = in_array('--full', $argv, true);
$root = dirname(__DIR__, 2);
$r = new Robustness($root);
$requests = $full ? 50000 : 5000;
$memoryCalls = $full ? 100000 : 2000;
$secret = '51d21a8258ec37b942b933019a7a0afd42c8dcc765b107d42127cc6a8456e893';
$concurrency = 16;
register_shutdown_function(function () use ($r) {
    $r->stopAll();
});

printf("dsgvo robustness run (%s): extension %s\n", $full ? 'full' : 'short', $r->ext);
$t0 = microtime(true);
$r->startDatabase();
$admin = new PDO("mysql:host=127.0.0.1;port={$r->dbPort}", 'root', '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$admin->exec('DROP DATABASE IF EXISTS robust');
$admin->exec('CREATE DATABASE robust');
$store = new Dsgvo\Store(['dsn' => $r->dsn(), 'secret' => $secret]);
$store->migrate();
for ($c = 1; $c <= 1000; $c += 3) {
    $store->grantConsent($c, 'newsletter', ['source' => 'import', 'occurred_at' => '2020-01-01T00:00:00Z']);
}
$tokens = [];
for ($c = 1; $c <= 300; $c++) {
    $type = ['newsletter', 'review', '*'][$c % 3];
    $tokens[] = [$c, $type, $store->unsubscribeToken($c, $type)];
}
$www = $r->dir . '/www';
@mkdir($www);
foreach (['endpoint.php' => __DIR__ . '/app/endpoint.php', 'unsubscribe.php' => $root . '/examples/unsubscribe.php'] as $name => $target) {
    @unlink("$www/$name");
    symlink($target, "$www/$name");
}
$r->startWeb($www, [
    'dsgvo.dsn' => $r->dsn(), 'dsgvo.secret' => $secret, 'dsgvo.query_timeout_ms' => '2000', 'dsgvo.connect_timeout_ms' => '1000',
]);
printf("private MariaDB on 127.0.0.1:%d, nginx on 127.0.0.1:%d, php-fpm 4 workers (%.1f s to start)\n\n", $r->dbPort, $r->httpPort, microtime(true) - $t0);

/** A random request of the shop's mix; acknowledgements are collected by $done. */
$makeRequest = function () use ($r, $tokens): array {
    $c = mt_rand(1, 1000);
    $p = mt_rand(0, 99);
    $base = "http://127.0.0.1:{$r->httpPort}";
    if ($p < 55) {
        return ["$base/endpoint.php?op=decide&c=$c", null, ['decide']];
    }
    if ($p < 75) {
        $type = ['newsletter', 'review', 'birthday', 'winback', '*'][mt_rand(0, 4)];
        return ["$base/endpoint.php?op=optout&c=$c&t=" . rawurlencode($type), null, ['optout', $c, $type]];
    }
    if ($p < 90) {
        return ["$base/endpoint.php?op=log&c=$c", null, ['log']];
    }
    [$tc, $type, $token] = $tokens[mt_rand(0, count($tokens) - 1)];
    return ["$base/unsubscribe.php?t=$token", 'List-Unsubscribe=One-Click', ['unsubscribe', $tc, $type]];
};
$acked = ['optouts' => [], 'sends' => []];
$ack = function (array $tag, int $status, string $body) use (&$acked): void {
    if ($status !== 200) {
        return;
    }
    if ($tag[0] === 'optout' || $tag[0] === 'unsubscribe') {
        $acked['optouts'][$tag[1] . '/' . $tag[2]] = true;
    } elseif ($tag[0] === 'log' && preg_match('/^logged (\d+)$/', $body, $m)) {
        $acked['sends'][(int) $m[1]] = true;
    }
};
$verifyAcked = function (string $phase) use ($r, &$acked): void {
    $pdo = $r->pdo();
    $stored = [];
    foreach ($pdo->query('SELECT DISTINCT customer_id, type FROM dsgvo_opt_outs') as $row) {
        $stored[$row['customer_id'] . '/' . $row['type']] = true;
    }
    $missing = array_diff_key($acked['optouts'], $stored);
    if ($missing && getenv('DSGVO_ROBUSTNESS_DEBUG')) {
        echo '  missing, e.g.: ', implode(' ', array_slice(array_keys($missing), 0, 10)), "\n";
    }
    $r->check($missing === [], sprintf('%s: all %d acknowledged objections are in the database%s', $phase, count($acked['optouts']), $missing ? ' (missing ' . count($missing) . ')' : ''));
    $ids = array_keys($acked['sends']);
    $found = 0;
    foreach (array_chunk($ids, 1000) as $chunk) {
        $found += (int) $pdo->query('SELECT COUNT(*) FROM dsgvo_send_log WHERE id IN (' . implode(',', $chunk) . ')')->fetchColumn();
    }
    $r->check($found === count($ids), sprintf('%s: all %d acknowledged sends are in the database', $phase, count($ids)));
};
$crashFree = function (string $phase) use ($r): void {
    $log = $r->fpmLog();
    $bad = preg_match_all('/SIGSEGV|SIGABRT|SIGBUS|signal (6|7|11)|core dumped|execution timed out|terminating/i', $log, $m);
    $r->check($bad === 0, "$phase: no worker crash or hang in the FPM log" . ($bad ? ': ' . implode(', ', array_unique($m[0])) : ''));
    return;
};

// --- load ------------------------------------------------------------------------------------------------
echo "load: $requests requests from $concurrency connections\n";
$sent = 0;
$statuses = [];
$latencies = [];
$errorBodies = [];
$t = microtime(true);
Robustness::load($concurrency, function () use (&$sent, $requests, $makeRequest) {
    return $sent++ < $requests ? $makeRequest() : null;
}, function (array $tag, int $status, string $body, float $seconds) use (&$statuses, &$latencies, &$errorBodies, $ack) {
    $statuses[$status] = ($statuses[$status] ?? 0) + 1;
    $latencies[] = $seconds;
    if ($status >= 500 && count($errorBodies) < 3) {
        $errorBodies[substr($body, 0, 300)] = true;
    }
    $ack($tag, $status, $body);
});
$elapsed = microtime(true) - $t;
ksort($statuses);
printf("  %d requests in %.1f s (%.0f/s); status %s; latency %s\n", array_sum($statuses), $elapsed, array_sum($statuses) / $elapsed,
    json_encode($statuses), Robustness::percentiles($latencies));
// What a 5xx said, so a failed check names its cause (a timeout on a busy machine reads differently from a bug).
foreach (array_keys($errorBodies) as $body) {
    echo "  a 5xx answered: $body\n";
}
$fiveXX = array_sum(array_filter($statuses, function ($n, $s) {
    return $s >= 500;
}, ARRAY_FILTER_USE_BOTH));
$r->check($fiveXX === 0, 'load: no 5xx');
$r->check(array_sum($statuses) === $requests && !isset($statuses[0]), 'load: every request answered');
$recycled = preg_match_all('/exited with code 0/', $r->fpmLog());
$r->check($recycled > 0, "load: workers recycled during the run ($recycled times, pm.max_requests = 200)");
$crashFree('load');
$verifyAcked('load');

// --- outage ----------------------------------------------------------------------------------------------
echo "\noutage: load for 16 s; the database is killed at 3 s and started again at 8 s\n";
$events = [];
$start = microtime(true);
$phase = 'before';
$killedAt = $upAt = null;
Robustness::load($concurrency, function () use (&$start, &$phase, &$killedAt, &$upAt, $r, $makeRequest) {
    $now = microtime(true) - $start;
    if ($phase === 'before' && $now >= 3) {
        $r->stop('mariadb', 9);
        $killedAt = microtime(true);
        $phase = 'down';
    } elseif ($phase === 'down' && $now >= 8) {
        $r->startDatabase();
        $upAt = microtime(true);
        $phase = 'after';
    }
    return $now < 16 ? $makeRequest() : null;
}, function (array $tag, int $status, string $body, float $seconds, float $t0) use (&$events, $ack) {
    $events[] = [$t0, $t0 + $seconds, $status, $body];
    $ack($tag, $status, $body);
});
if (getenv('DSGVO_ROBUSTNESS_DEBUG')) {
    $buckets = [];
    foreach ($events as $e) {
        $buckets[(int) floor($e[0] - $start)][$e[2]] = ($buckets[(int) floor($e[0] - $start)][$e[2]] ?? 0) + 1;
    }
    ksort($buckets);
    printf("  killed at +%.2f s, up at +%.2f s\n", $killedAt - $start, $upAt - $start);
    foreach ($buckets as $second => $counts) {
        printf("  +%2d s: %s\n", $second, json_encode($counts));
    }
    $samples = array_filter($events, function ($e) use ($killedAt, $upAt) {
        return $e[0] > $killedAt + 0.2 && $e[1] < $upAt && $e[2] === 200;
    });
    foreach (array_slice($samples, 0, 5) as $e) {
        echo '  200 during the outage: ', substr($e[3], 0, 100), "\n";
    }
}
$during = array_filter($events, function ($e) use ($killedAt, $upAt) {
    return $e[0] > $killedAt + 0.2 && $e[1] < $upAt;
});
$statusesDuring = array_count_values(array_map(function ($e) {
    return $e[2];
}, $during));
ksort($statusesDuring);
printf("  %d requests; during the outage: %s; slowest request %.0f ms\n", count($events), json_encode($statusesDuring),
    max(array_map(function ($e) {
        return ($e[1] - $e[0]) * 1000;
    }, $events)));
// The endpoint shows the DatabaseException; the unsubscribe example a polite 503 (it logs the message).
$clear = array_filter($during, function ($e) {
    return $e[2] === 503 && (strpos($e[3], 'database: ') === 0 || strpos($e[3], 'Temporarily unavailable') === 0);
});
$r->check($during !== [] && count($clear) === count($during), 'outage: every request during the outage answered 503 with the DatabaseException');
$r->check(max(array_map(function ($e) {
    return $e[1] - $e[0];
}, $events)) < 1.0 + 2.0 + 1.0, 'outage: no request waited past connect + query timeout (+1 s)');
$firstOk = null;
foreach ($events as $e) {
    if ($e[0] >= $upAt && $e[2] === 200) {
        $firstOk = $firstOk === null ? $e[1] : min($firstOk, $e[1]);
    }
}
$failedLate = array_filter($events, function ($e) use ($upAt) {
    return $e[0] > $upAt + 5 && $e[2] !== 200;
});
printf("  database back at +%.1f s; first success %.0f ms after it\n", $upAt - $start, $firstOk === null ? -1 : ($firstOk - $upAt) * 1000);
$r->check($firstOk !== null && $firstOk - $upAt < 5 && $failedLate === [], 'outage: service recovered within 5 s without restarting FPM');
$crashFree('outage');
$verifyAcked('outage');

// --- hostile input -----------------------------------------------------------------------------------------
echo "\nfuzz: 20,000 calls of every public method with adversarial arguments (seed 20261129)\n";
$admin = new PDO("mysql:host=127.0.0.1;port={$r->dbPort}", 'root', '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$admin->exec('DROP DATABASE IF EXISTS fuzz');
$admin->exec('CREATE DATABASE fuzz');
$cmd = [PHP_BINARY, '-d', 'extension=' . $r->ext, __DIR__ . '/fuzz.php', $r->dsn('fuzz'), '20261129', '20000'];
$proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
$code = proc_close($proc);
$fuzz = json_decode((string) $out, true);
if (is_array($fuzz)) {
    printf("  exceptions: %s\n  rows (expected/actual): %s\n", json_encode($fuzz['exceptions']), implode(', ', array_map(function ($t, $v) {
        return "$t {$v['expected']}/{$v['actual']}";
    }, array_keys($fuzz['rows']), $fuzz['rows'])));
}
$r->check($code === 0 && is_array($fuzz), 'fuzz: the process lived, only TypeError/ValueError/Dsgvo\\Exception, rows exactly as the successful calls wrote'
    . ($code !== 0 ? ': ' . substr(trim($out . ' ' . $err), 0, 400) : ''));

// --- memory ---------------------------------------------------------------------------------------------------
echo "\nmemory: $memoryCalls calls of each public method in one process (RSS after a tenth and at the end)\n";
$admin->exec('DROP DATABASE IF EXISTS memory');
$admin->exec('CREATE DATABASE memory');
$proc = proc_open([PHP_BINARY, '-d', 'extension=' . $r->ext, __DIR__ . '/memory.php', $r->dsn('memory'), (string) $memoryCalls], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
proc_close($proc);
$memory = json_decode((string) $out, true);
if (!is_array($memory)) {
    $r->check(false, 'memory: the run completed: ' . substr($err, 0, 400));
} else {
    $worst = 0;
    foreach ($memory as $name => $m) {
        $growth = $m['rss_kib_at_end'] - $m['rss_kib_at_tenth'];
        $worst = max($worst, $growth);
        printf("  %-28s %7d calls  %6.1f MiB -> %6.1f MiB\n", $name, $m['calls'], $m['rss_kib_at_tenth'] / 1024, $m['rss_kib_at_end'] / 1024);
    }
    $first = reset($memory)['rss_kib_at_tenth'];
    $last = end($memory)['rss_kib_at_end'];
    printf("  whole run: %.1f MiB -> %.1f MiB\n", $first / 1024, $last / 1024);
    $r->check($worst < 4096, sprintf('memory: no method grows the process by 4 MiB or more between a tenth and all of its calls (worst %.1f MiB)', $worst / 1024));
}

$r->stopAll();
printf("\n%s (%.0f s)\n", $r->failures === [] ? 'robustness: all checks passed' : 'robustness: FAILED: ' . implode('; ', $r->failures), microtime(true) - $t0);
exit($r->failures === [] ? 0 : 1);
