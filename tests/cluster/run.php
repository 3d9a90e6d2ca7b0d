<?php
// The cluster suite: a 3-node MariaDB Galera cluster on loopback (scripts/galera) and the promises of
// docs/scaling.md on it. Prints one line per check and the figures; exits 1 if a check fails.
//
//   php -d extension=target/release/libdsgvo.so tests/cluster/run.php [--long]
//
// Short form (CI, scripts/test): 100 operations per writer, 100 read-your-writes tries, one node kill.
// Long form (scripts/robustness --cluster): 300 operations per writer, 300 tries, as issue 18 measured.
// DSGVO_DSN names the single server the mix is compared with (default mysql://root@127.0.0.1:3306/test).
declare(strict_types=1);

use Dsgvo\Store;

require __DIR__ . '/../php/support/ShopSchemas.php';

$long = in_array('--long', $argv, true);
// --mix-only: only the nine-writer mix, cluster and one server (e.g. to measure another build).
$mixOnly = in_array('--mix-only', $argv, true);
// --kill-only: only the node kill under keyed load (step 5), e.g. to chase a defect there.
$killOnly = in_array('--kill-only', $argv, true);
$root = dirname(__DIR__, 2);
$galera = "$root/scripts/galera";
$secret = '0f4c2d9a8b7e6f5a4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c';
$ops = $long ? 300 : 100;
$tries = $long ? 300 : 100;
$database = 'dsgvo_cluster';
$single = getenv('DSGVO_DSN') ?: 'mysql://root@127.0.0.1:3306/test';
$failed = 0;

function check(bool $ok, string $what): void
{
    global $failed;
    echo ($ok ? 'ok   ' : 'FAIL ') . $what . "\n";
    if (!$ok) {
        $failed++;
    }
}

function nodeDsn(int $node, string $db): string
{
    return sprintf('mysql://root@127.0.0.1:%d/%s', 23305 + $node, $db);
}

function pdoFor(string $dsn): PDO
{
    $u = parse_url($dsn);
    return new PDO(
        sprintf('mysql:host=%s;port=%d;dbname=%s', $u['host'], $u['port'] ?? 3306, ltrim($u['path'], '/')),
        $u['user'] ?? 'root',
        $u['pass'] ?? '',
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]
    );
}

function freshDatabase(string $dsn): void
{
    $u = parse_url($dsn);
    $name = ltrim($u['path'], '/');
    $admin = new PDO(sprintf('mysql:host=%s;port=%d', $u['host'], $u['port'] ?? 3306), $u['user'] ?? 'root', $u['pass'] ?? '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    $admin->exec("DROP DATABASE IF EXISTS `$name`");
    $admin->exec("CREATE DATABASE `$name` CHARACTER SET utf8mb4");
}

/** Starts workers, lets them go at once, returns their decoded outputs. */
function runWorkers(array $jobs): array
{
    $go = sys_get_temp_dir() . '/dsgvo-cluster-go-' . getmypid() . '-' . mt_rand();
    $procs = startWorkers($jobs, $go);
    usleep(500000);
    touch($go);
    $out = finishWorkers($procs);
    @unlink($go);
    return $out;
}

/** Starts workers without waiting; returns handles for finishWorkers(). */
function startWorkers(array $jobs, string $go): array
{
    $procs = [];
    foreach ($jobs as [$mode, $args]) {
        $args['go'] = $go;
        $cmd = [PHP_BINARY, '-d', 'extension=' . EXT, '-d', 'display_errors=stderr', '-d', 'error_reporting=-1', __DIR__ . '/worker.php', $mode, json_encode($args)];
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $procs[] = [$proc, $pipes];
    }
    return $procs;
}

function finishWorkers(array $procs): array
{
    $out = [];
    foreach ($procs as [$proc, $pipes]) {
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        proc_close($proc);
        if ($stderr !== '') {
            fwrite(STDERR, $stderr);
        }
        $out[] = json_decode((string) $stdout, true) ?? ['crashed' => $stdout . $stderr];
    }
    return $out;
}

function sh(string $cmd): void
{
    passthru($cmd, $status);
    if ($status !== 0) {
        throw new RuntimeException("failed: $cmd");
    }
}

define('EXT', getenv('DSGVO_EXT') ?: "$root/target/release/libdsgvo.so");

/** The nine-writer mix against three DSNs (one per node, or the same server thrice). */
function mix(array $dsns, int $ops, string $secret): array
{
    $jobs = [];
    foreach ($dsns as $n => $dsn) {
        for ($w = 0; $w < 3; $w++) {
            $jobs[] = ['mix', ['dsn' => $dsn, 'secret' => $secret, 'n' => $ops, 'seed' => 100 * $n + $w]];
        }
    }
    $started = microtime(true);
    $results = runWorkers($jobs);
    $seconds = microtime(true) - $started - 0.5;
    $sum = ['ops' => 0, 'consent_1213' => 0, 'other_1213' => 0, 'failed' => 0, 'consent_ids' => [], 'seconds' => $seconds, 'crashed' => 0];
    foreach ($results as $r) {
        if (isset($r['crashed'])) {
            $sum['crashed']++;
            continue;
        }
        $sum['ops'] += $r['ops'];
        $sum['consent_1213'] += $r['consent_1213'];
        $sum['other_1213'] += $r['other_1213'];
        $sum['failed'] += count($r['failed']);
        $sum['consent_ids'] = array_merge($sum['consent_ids'], $r['consent_ids']);
        foreach (array_slice($r['failed'], 0, 2) as $f) {
            echo "     failure: {$f['class']} {$f['code']} {$f['message']}\n";
        }
    }
    return $sum;
}

/** A connection to a node whose reads wait until the node has applied every write the cluster acknowledged. */
function causalPdo(string $dsn): PDO
{
    $pdo = pdoFor($dsn);
    if ((string) $pdo->query("SELECT @@wsrep_on")->fetchColumn() === '1') {
        $pdo->exec('SET SESSION wsrep_sync_wait = 1');
    }
    return $pdo;
}

function ledgerMatches(string $dsn, array $ids, string $secret): array
{
    // Causal reads: a write acknowledged by another node may not be applied here yet.
    $verify = (new Store(['dsn' => $dsn, 'secret' => $secret, 'read_your_writes' => true]))->verifyLedger();
    $inTable = causalPdo($dsn)->query('SELECT id FROM dsgvo_consent_events ORDER BY id')->fetchAll(PDO::FETCH_COLUMN);
    $inTable = array_map('intval', $inTable);
    sort($ids);
    return [$verify['ok'] && $verify['events'] === count($ids), $inTable === $ids, $verify];
}

echo "== cluster: scripts/galera start\n";
$startedAt = microtime(true);
sh(escapeshellarg($galera) . ' start --parent ' . getmypid());
try {
    $nodes = [1, 2, 3];
    $dsns = array_map(function (int $n) use ($database): string { return nodeDsn($n, $database); }, $nodes);

    // 1. migrate() on all three nodes at once, on an empty database: every call succeeds.
    freshDatabase($dsns[0]);
    if ($mixOnly) {
        (new Store(['dsn' => $dsns[0]]))->migrate();
        goto mix;
    }
    if ($killOnly) {
        (new Store(['dsn' => $dsns[0]]))->migrate();
        goto kill;
    }
    $jobs = [];
    foreach ($dsns as $dsn) {
        for ($w = 0; $w < 3; $w++) {
            $jobs[] = ['migrate', ['dsn' => $dsn, 'secret' => $secret, 'n' => $long ? 10 : 3]];
        }
    }
    $results = runWorkers($jobs);
    $ok = array_sum(array_column($results, 'ok'));
    $bad = array_merge(...array_map(function ($r) { return $r['failed'] ?? [['class' => 'crashed', 'code' => 0, 'message' => json_encode($r)]]; }, $results));
    foreach (array_slice($bad, 0, 3) as $f) {
        echo "     failure: {$f['class']} {$f['code']} {$f['message']}\n";
    }
    check($bad === [], sprintf('migrate() on 3 nodes x 3 processes at once: %d ok, %d failed', $ok, count($bad)));

    // 2. refreshRecommendations() on all three nodes at once while readers on every node read.
    $pdo = pdoFor($dsns[0]);
    Dsgvo\Tests\ShopSchemas::loadMinimal($pdo, '');
    $pdo->exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    for ($c = 1; $c <= 40; $c++) {
        $pdo->exec("INSERT INTO customers (customers_id, customers_firstname, customers_lastname, customers_email_address) VALUES ($c, 'Erika', 'Muster', 'buyer$c@example.org')");
        $pdo->exec("INSERT INTO orders (customers_id, customers_name, customers_email_address, date_purchased) VALUES ($c, 'E M', 'buyer$c@example.org', NOW() - INTERVAL 1 DAY)");
        $order = (int) $pdo->lastInsertId();
        foreach ([1 + $c % 5, 6 + $c % 3, 9] as $p) {
            $pdo->exec("INSERT INTO orders_products (orders_id, products_id, products_name, products_quantity) VALUES ($order, $p, 'P', 1)");
        }
    }
    $stop = sys_get_temp_dir() . '/dsgvo-cluster-stop-' . getmypid();
    @unlink($stop);
    $go = sys_get_temp_dir() . '/dsgvo-cluster-go2-' . getmypid();
    $readers = startWorkers(array_map(function ($dsn) use ($stop, $secret) { return ['reader', ['dsn' => $dsn, 'secret' => $secret, 'stop' => $stop]]; }, $dsns), $go);
    $refreshers = startWorkers(array_map(function ($dsn) use ($secret, $long) { return ['refresh', ['dsn' => $dsn, 'secret' => $secret, 'n' => $long ? 10 : 4]]; }, array_merge($dsns, $dsns)), $go);
    usleep(500000);
    touch($go);
    $refreshed = finishWorkers($refreshers);
    touch($stop);
    $read = finishWorkers($readers);
    @unlink($go);
    @unlink($stop);
    $rOk = array_sum(array_column($refreshed, 'ok'));
    $rBusy = array_sum(array_column($refreshed, 'busy'));
    $rBad = array_merge(...array_map(function ($r) { return $r['failed'] ?? [['class' => 'crashed', 'code' => 0, 'message' => json_encode($r)]]; }, $refreshed));
    $reads = array_sum(array_column($read, 'reads'));
    $readBad = array_merge(...array_map(function ($r) { return $r['failed'] ?? [['class' => 'crashed', 'code' => 0, 'message' => json_encode($r)]]; }, $read));
    foreach (array_slice(array_merge($rBad, $readBad), 0, 3) as $f) {
        echo "     failure: {$f['class']} {$f['code']} {$f['message']}\n";
    }
    check($rBad === [], sprintf('refreshRecommendations() on 3 nodes x 2 processes at once: %d ok, %d "another process is refreshing", %d failed', $rOk, $rBusy, count($rBad)));
    check($readBad === [] && $reads > 0, sprintf('alsoBought() readers on every node meanwhile: %d reads, %d failed', $reads, count($readBad)));
    $published = (new Store(['dsn' => $dsns[2], 'shop' => 'oscommerce']))->alsoBought(9, 10);
    check(count($published) > 0, sprintf('node 3 reads the published pairs (%d for product 9)', count($published)));

    // 3. The nine-writer mix: 3 writers per node.
    mix:
    $cluster = mix($dsns, $ops, $secret);
    check($cluster['crashed'] === 0, 'no writer crashed');
    check($cluster['consent_1213'] === 0, sprintf('nine writers x %d mixed ops on the cluster: %d consent writes surfaced 1213 (other 1213: %d, other failures: %d)', $ops, $cluster['consent_1213'], $cluster['other_1213'], $cluster['failed'] - $cluster['consent_1213'] - $cluster['other_1213']));
    foreach ($dsns as $n => $dsn) {
        [$verified, $same, $v] = ledgerMatches($dsn, $cluster['consent_ids'], $secret);
        check($verified && $same, sprintf('node %d: chain verifies (%s), %d events = %d acknowledged consent writes, same ids', $n + 1, json_encode($v['ok']), $v['events'], count($cluster['consent_ids'])));
    }

    // The same mix on one server, for the throughput.
    $singleDb = preg_replace('#/[^/?]*(\?.*)?$#', '/dsgvo_cluster_single', $single);
    freshDatabase($singleDb);
    (new Store(['dsn' => $singleDb]))->migrate();
    $one = mix([$singleDb, $singleDb, $singleDb], $ops, $secret);
    [$verified] = ledgerMatches($singleDb, $one['consent_ids'], $secret);
    check($verified && $one['failed'] === 0, sprintf('the same mix on one server: %d failures, chain verifies', $one['failed']));
    printf("     throughput: cluster %.0f ops/s (%d ops in %.1f s), one server %.0f ops/s (%d ops in %.1f s)\n",
        $cluster['ops'] / $cluster['seconds'], $cluster['ops'], $cluster['seconds'], $one['ops'] / $one['seconds'], $one['ops'], $one['seconds']);
    pdoFor($singleDb)->exec('DROP DATABASE dsgvo_cluster_single');
    if ($mixOnly) {
        goto done;
    }

    // 4. read_your_writes: grant on node 1, decide at once on node 2.
    foreach ([false, true] as $i => $ryw) {
        $r = runWorkers([['ryw', ['write_dsn' => $dsns[0], 'read_dsn' => $dsns[1], 'secret' => $secret, 'ryw' => $ryw, 'n' => $tries, 'base' => 10000 + 10000 * $i]]])[0];
        if ($ryw) {
            check(($r['stale'] ?? -1) === 0, sprintf('read_your_writes on: %d of %d decisions on node 2 stale after a grant on node 1', $r['stale'] ?? -1, $r['tries'] ?? 0));
        } else {
            printf("     read_your_writes off: %d of %d decisions stale (for comparison)\n", $r['stale'] ?? -1, $r['tries'] ?? 0);
        }
    }

    kill:
    // 5. Kill node 3 under load and start it again; every call is retried with its idempotency key.
    $pdo = causalPdo($dsns[0]);
    $pdo->exec('DELETE FROM dsgvo_consent_state');
    $before = (int) $pdo->query('SELECT COUNT(*) FROM dsgvo_consent_events')->fetchColumn();
    $go = sys_get_temp_dir() . '/dsgvo-cluster-go3-' . getmypid();
    $jobs = [];
    foreach ([0, 1, 2] as $n) {
        for ($w = 0; $w < 2; $w++) {
            $order = [$dsns[$n], $dsns[($n + 1) % 3], $dsns[($n + 2) % 3]];
            $jobs[] = ['keyed', ['dsns' => $order, 'secret' => $secret, 'n' => $long ? 200 : 60, 'prefix' => "n$n-w$w", 'pause_us' => 20000]];
        }
    }
    $keyed = startWorkers($jobs, $go);
    usleep(500000);
    touch($go);
    sleep(1);
    sh(escapeshellarg($galera) . ' kill 3');
    sleep(3);
    sh(escapeshellarg($galera) . ' start 3');
    $results = finishWorkers($keyed);
    @unlink($go);
    $keys = [];
    $history = [];
    $exceptions = [];
    $untyped = 0;
    $gaveUp = 0;
    foreach ($results as $r) {
        if (isset($r['crashed'])) {
            $untyped++;
            echo "     crashed: " . substr($r['crashed'], 0, 300) . "\n";
            continue;
        }
        $keys += $r['keys'];
        $history += $r['history'] ?? [];
        $untyped += $r['untyped'];
        $gaveUp += $r['gave_up'];
        foreach ($r['gave_up_history'] ?? [] as $key => $lines) {
            echo "     gave up on $key: " . implode(' | ', $lines) . "\n";
        }
        foreach ($r['exceptions'] as $class => $count) {
            $exceptions[$class] = ($exceptions[$class] ?? 0) + $count;
        }
    }
    $expected = array_sum(array_column(array_column($jobs, 1), 'n'));
    check($untyped === 0 && $gaveUp === 0 && count($keys) === $expected, sprintf('kill/restart node 3 under load: %d keyed grants done, exceptions on the way: %s, untyped: %d, gave up: %d',
        count($keys), json_encode($exceptions), $untyped, $gaveUp));
    foreach ($dsns as $n => $dsn) {
        $p = causalPdo($dsn);
        $rows = (int) $p->query('SELECT COUNT(*) FROM dsgvo_consent_events')->fetchColumn() - $before;
        $distinct = count(array_unique(array_values($keys)));
        $verify = (new Store(['dsn' => $dsn, 'secret' => $secret, 'read_your_writes' => true]))->verifyLedger();
        check($verify['ok'], sprintf('node %d: the chain verifies', $n + 1));
        check($rows === count($keys) && $distinct === count($keys), sprintf('node %d: exactly one event per key (%d events, %d keys, %d distinct ids)', $n + 1, $rows, count($keys), $distinct));
    }
    // What a failure looks like in the data: each id returned for more than one key, with the key rows.
    $byId = [];
    foreach ($keys as $key => $id) {
        $byId[$id][] = $key;
    }
    $p = pdoFor($dsns[0]);
    foreach ($byId as $id => $sharing) {
        if (count($sharing) < 2) {
            continue;
        }
        $event = $p->query("SELECT id, customer_id, action, recorded_at FROM dsgvo_consent_events WHERE id = " . (int) $id)->fetch(PDO::FETCH_ASSOC);
        echo "     id $id returned for " . implode(', ', $sharing) . '; event: ' . json_encode($event) . "\n";
        foreach ($sharing as $key) {
            $st = $p->prepare('SELECT idem_key, call_name, result, created_at FROM dsgvo_idempotency_keys WHERE idem_key = ?');
            $st->execute([$key]);
            echo '       key row: ' . json_encode($st->fetch(PDO::FETCH_ASSOC)) . "\n";
            foreach ($history[$key] ?? [] as $line) {
                echo "       $line\n";
            }
        }
    }

    if ($killOnly) {
        goto done;
    }

    // 6. erase(shop_data) of a MyISAM shop table on a Galera node is refused, naming the table.
    $pdo->exec('ALTER TABLE customers_info ENGINE=MyISAM');
    $store = new Store(['dsn' => $dsns[0], 'shop' => 'oscommerce', 'secret' => $secret]);
    try {
        $store->erase(1, ['shop_data' => true]);
        check(false, 'erase(shop_data) with a MyISAM shop table refused');
    } catch (Dsgvo\ConfigException $e) {
        check(strpos($e->getMessage(), 'customers_info') !== false, 'erase(shop_data) with a MyISAM shop table refused: ' . substr($e->getMessage(), 0, 140) . '...');
    }
    $stillThere = (int) pdoFor($dsns[1])->query('SELECT COUNT(*) FROM customers WHERE customers_id = 1')->fetchColumn();
    check($stillThere === 1, 'nothing was erased');
    done:
} finally {
    sh(escapeshellarg($galera) . ' stop');
}
printf("== cluster suite: %d failed, %.0f s\n", $failed, microtime(true) - $startedAt);
exit($failed === 0 ? 0 : 1);
