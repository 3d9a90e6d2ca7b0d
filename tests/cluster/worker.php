<?php
// One worker process of tests/cluster/run.php. Waits for the start file, does its part, prints one
// JSON line. Usage: php worker.php <mode> <json args>
declare(strict_types=1);

use Dsgvo\Store;

[$_, $mode, $json] = $argv;
$a = json_decode($json, true, 8, JSON_THROW_ON_ERROR);
$secret = $a['secret'];

function waitFor(string $go): void
{
    $deadline = microtime(true) + 60;
    while (!file_exists($go) && microtime(true) < $deadline) {
        usleep(1000);
    }
}

/** @return array{class: string, code: int, message: string} */
function failure(Throwable $e): array
{
    return ['class' => get_class($e), 'code' => (int) $e->getCode(), 'message' => substr($e->getMessage(), 0, 200)];
}

$out = [];
switch ($mode) {
    case 'migrate': // N migrate() calls
        $store = new Store(['dsn' => $a['dsn']]);
        waitFor($a['go']);
        $out = ['ok' => 0, 'failed' => []];
        for ($i = 0; $i < $a['n']; $i++) {
            try {
                $store->migrate();
                $out['ok']++;
            } catch (Throwable $e) {
                $out['failed'][] = failure($e);
            }
        }
        break;

    case 'refresh': // N refreshRecommendations() calls
        $store = new Store(['dsn' => $a['dsn'], 'shop' => 'oscommerce', 'secret' => $secret, 'recommend_min_customers' => 2]);
        waitFor($a['go']);
        $out = ['ok' => 0, 'busy' => 0, 'failed' => []];
        for ($i = 0; $i < $a['n']; $i++) {
            try {
                $store->refreshRecommendations();
                $out['ok']++;
            } catch (Throwable $e) {
                if (strpos($e->getMessage(), 'another process is refreshing') !== false) {
                    $out['busy']++;
                } else {
                    $out['failed'][] = failure($e);
                }
            }
        }
        break;

    case 'reader': // alsoBought() until the stop file appears
        $store = new Store(['dsn' => $a['dsn'], 'shop' => 'oscommerce']);
        waitFor($a['go']);
        $out = ['reads' => 0, 'failed' => []];
        $deadline = microtime(true) + 120;
        while (!file_exists($a['stop']) && microtime(true) < $deadline) {
            try {
                $store->alsoBought(1 + $out['reads'] % 10, 10);
                $out['reads']++;
            } catch (Throwable $e) {
                $out['failed'][] = failure($e);
            }
        }
        break;

    case 'mix': // the nine-writer mix: N mixed operations on customers 1..50 (optOut on 51..100)
        mt_srand($a['seed']);
        $store = new Store(['dsn' => $a['dsn'], 'secret' => $secret]);
        $store->maySend(1, 'newsletter'); // connected before the start
        waitFor($a['go']);
        $out = ['ops' => 0, 'consent_ids' => [], 'consent_1213' => 0, 'other_1213' => 0, 'failed' => []];
        $started = microtime(true);
        for ($i = 0; $i < $a['n']; $i++) {
            $r = mt_rand(0, 99);
            $customer = mt_rand(1, 50);
            try {
                if ($r < 35) {
                    $out['consent_ids'][] = $store->grantConsent($customer, 'newsletter', ['source' => 'api']);
                } elseif ($r < 55) {
                    $out['consent_ids'][] = $store->revokeConsent($customer, 'newsletter', ['source' => 'api']);
                } elseif ($r < 65) {
                    $store->optOut(50 + $customer, 'newsletter');
                } elseif ($r < 75) {
                    $store->optOutEmail(sprintf('c%d-%d@example.org', $customer, mt_rand(1, 1000)));
                } elseif ($r < 85) {
                    $store->logSend($customer, 'newsletter', ['subject' => 'Hallo']);
                } else {
                    $store->maySend($customer, 'newsletter');
                }
                $out['ops']++;
            } catch (Throwable $e) {
                if ((int) $e->getCode() === 1213) {
                    $out[$r < 55 ? 'consent_1213' : 'other_1213']++;
                }
                $out['failed'][] = failure($e);
            }
        }
        $out['seconds'] = microtime(true) - $started;
        break;

    case 'ryw': // grant on one node, decide at once on another: how often is the decision stale?
        $writer = new Store(['dsn' => $a['write_dsn'], 'secret' => $secret]);
        $reader = new Store(['dsn' => $a['read_dsn'], 'secret' => $secret, 'read_your_writes' => $a['ryw']]);
        $out = ['tries' => 0, 'stale' => 0];
        for ($i = 0; $i < $a['n']; $i++) {
            $customer = $a['base'] + $i;
            $writer->grantConsent($customer, 'newsletter');
            $out['tries']++;
            if (!$reader->maySend($customer, 'newsletter')->allowed) {
                $out['stale']++;
            }
        }
        break;

    case 'keyed': // grants with idempotency keys, retried with the same key on failure (also on other nodes)
        $stores = array_map(function (string $dsn) use ($secret): Store {
            return new Store(['dsn' => $dsn, 'secret' => $secret, 'connect_timeout_ms' => 1000, 'query_timeout_ms' => 3000]);
        }, $a['dsns']);
        waitFor($a['go']);
        $out = ['keys' => [], 'exceptions' => [], 'untyped' => 0, 'gave_up' => 0, 'history' => []];
        $node = 0;
        for ($i = 0; $i < $a['n']; $i++) {
            $key = sprintf('%s-%d', $a['prefix'], $i);
            for ($try = 0; ; $try++) {
                try {
                    $out['keys'][$key] = $stores[$node]->grantConsent(1 + $i % 50, 'newsletter', ['idempotency_key' => $key]);
                    break;
                } catch (Dsgvo\Exception $e) {
                    $class = get_class($e);
                    $out['exceptions'][$class] = ($out['exceptions'][$class] ?? 0) + 1;
                    $out['history'][$key][] = sprintf('node %d: %s %d %s', $node, $class, $e->getCode(), substr($e->getMessage(), 0, 120));
                } catch (Throwable $e) {
                    $out['untyped']++;
                }
                if ($try >= 40) {
                    $out['gave_up']++;
                    $out['gave_up_history'][$key] = array_slice($out['history'][$key] ?? [], -3);
                    break;
                }
                $node = ($node + 1) % count($stores); // the next node, same key
                usleep(100000);
            }
            usleep($a['pause_us']);
        }
        break;
}
echo json_encode($out), "\n";
