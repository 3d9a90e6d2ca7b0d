<?php
/**
 * Memory: N calls of each public method in one CLI process; the resident set size after N/10 and after
 * N calls, per method. Growth beyond noise means a leak (in the extension, not in PHP's own arrays:
 * results are discarded at once).
 *   php -d extension=target/release/libdsgvo.so tests/robustness/memory.php DSN N
 * Prints a JSON object: method => [rss_kib_at_tenth, rss_kib_at_end].
 */
declare(strict_types=1);

[$_, $dsn, $n] = $argv + [null, null, '10000'];
$n = (int) $n;
$secret = 'c08af0cb1515a54444f507b56231cad1fb2e3a698ede36a6cdb8d5b1c7e2987d';
$store = new Dsgvo\Store(['dsn' => $dsn, 'secret' => $secret, 'retention_send_log_days' => 3650]);
$store->migrate();
$store->defineEmailType('review', 'consent', ['min_interval_days' => 1]);
$tmp = sys_get_temp_dir() . '/dsgvo-memory-' . getmypid();
@mkdir($tmp);
$send = $store->logSend(1, 'newsletter', ['email' => 'mem@example.org']);
$store->archiveEmail($send, 'Subject', str_repeat('<p>Hallo</p>', 100));
$token = $store->requestConsent(2, 'newsletter');
$unsubscribe = $store->unsubscribeToken(3, 'review');

function rss(): int
{
    preg_match('/VmRSS:\s+(\d+) kB/', (string) file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
}

$calls = [
    'new Store' => function () use ($dsn) { new Dsgvo\Store(['dsn' => $dsn]); },
    'ping' => function () use ($store) { $store->ping(); },
    'migrate' => function () use ($store) { $store->migrate(); },
    'grantConsent' => function (int $i) use ($store) { $store->grantConsent(1000 + $i % 5000, 'newsletter', ['ip' => '192.0.2.1', 'text' => 'Ja']); },
    'revokeConsent' => function (int $i) use ($store) { $store->revokeConsent(1000 + $i % 5000, 'newsletter'); },
    'requestConsent' => function (int $i) use ($store) { $store->requestConsent(7000 + $i % 5000, 'newsletter'); },
    'confirmConsent (used token)' => function () use ($store, $token) { try { $store->confirmConsent($token); } catch (Dsgvo\TokenException $e) {} },
    'hasConsent' => function (int $i) use ($store) { $store->hasConsent(1 + $i % 300, 'newsletter'); },
    'consentHistory' => function (int $i) use ($store) { $store->consentHistory(1000 + $i % 5000); },
    'optOut' => function (int $i) use ($store) { $store->optOut(300 + $i % 50, 'review'); },
    'optOutEmail' => function (int $i) use ($store) { $store->optOutEmail('o' . ($i % 50) . '@example.org'); },
    'isOptedOut' => function (int $i) use ($store) { $store->isOptedOut(1 + $i % 400, 'review'); },
    'unsubscribeToken' => function (int $i) use ($store) { $store->unsubscribeToken(1 + $i, 'review'); },
    'unsubscribe' => function () use ($store, $unsubscribe) { $store->unsubscribe($unsubscribe); },
    'unsubscribeHeaders' => function (int $i) use ($store) { $store->unsubscribeHeaders(1 + $i, 'review', 'https://shop.example/u', 'u@shop.example'); },
    'maySend' => function (int $i) use ($store) { $store->maySend(1 + $i % 500, 'review'); },
    'filterSendable (100 ids)' => function (int $i) use ($store) { $store->filterSendable(range(1 + $i % 10, 100 + $i % 10), 'review'); },
    'logSend' => function (int $i) use ($store) { $store->logSend(1 + $i % 500, 'newsletter', ['subject' => 'S']); },
    'rateEmail' => function (int $i) use ($store, $send) { $store->rateEmail($send, 1 + $i % 5, 'ok'); },
    'archivedEmail' => function () use ($store, $send) { $store->archivedEmail($send); },
    'tag/untag/tags' => function (int $i) use ($store) { $store->tag(7, 't' . ($i % 10)); $store->untag(7, 't' . (($i + 5) % 10)); $store->tags(7); },
    'export' => function () use ($store) { $store->export(1); },
    'exportTo' => function () use ($store, $tmp) { $store->exportTo(1, "$tmp/e.zip", 'zip', ['overwrite' => true]); },
    'erase (dry run)' => function () use ($store) { $store->erase(1, ['dry_run' => true]); },
    'purgeExpired (dry run)' => function () use ($store) { $store->purgeExpired(['dry_run' => true]); },
    'verifyLedger' => function () use ($store) { $store->verifyLedger(); },
    'dataMap' => function () use ($store) { $store->dataMap(); },
    'requestLog' => function () use ($store) { $store->requestLog(['limit' => 5]); },
    'sendLog' => function (int $i) use ($store) { $store->sendLog(1 + $i % 500, 20); },
    'optOuts' => function (int $i) use ($store) { $store->optOuts(300 + $i % 50); },
    'emailTypes' => function () use ($store) { $store->emailTypes(); },
    'findCustomers/importConsents (no shop: exception)' => function () use ($store) {
        try { $store->findCustomers('1'); } catch (Dsgvo\ConfigException $e) {}
        try { $store->importConsents(); } catch (Dsgvo\ConfigException $e) {}
    },
    'alsoBought' => function (int $i) use ($store) { $store->alsoBought(1 + $i % 100); },
    'refreshRecommendations/recommendFor (no shop: exception)' => function (int $i) use ($store) {
        try { $store->refreshRecommendations(); } catch (Dsgvo\ConfigException $e) {}
        try { $store->recommendFor(1 + $i % 100); } catch (Dsgvo\ConfigException $e) {}
    },
    'invalid input (exception)' => function () use ($store) { try { $store->maySend(-1, 'x'); } catch (Dsgvo\InvalidInputException $e) {} },
];
// The heavy ones run a tenth as often.
$heavy = ['export' => 100, 'exportTo' => 200, 'erase (dry run)' => 100, 'verifyLedger' => 1000, 'consentHistory' => 20,
    'filterSendable (100 ids)' => 10, 'new Store' => 1, 'migrate' => 10];
$report = [];
foreach ($calls as $name => $call) {
    // At least 20 calls, so the sample after a tenth is not the first call (which warms caches up).
    $times = max(20, intdiv($n, $heavy[$name] ?? 1));
    $tenth = max(1, intdiv($times, 10));
    $at = 0;
    for ($i = 1; $i <= $times; $i++) {
        $call($i);
        if ($i === $tenth) {
            gc_collect_cycles();
            $at = rss();
        }
    }
    gc_collect_cycles();
    $report[$name] = ['calls' => $times, 'rss_kib_at_tenth' => $at, 'rss_kib_at_end' => rss()];
}
array_map('unlink', glob("$tmp/*") ?: []);
@rmdir($tmp);
echo json_encode($report), "\n";
