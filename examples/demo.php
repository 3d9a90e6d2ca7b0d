<?php
/**
 * dsgvo demo: a short day in a small osCommerce tea shop. The shop's customers and orders are generated (seeded),
 * then the day goes: a double opt-in, two campaigns decided with their reasons, a one-click unsubscribe, an
 * access request answered with an export and an erasure with its report, and the ledger verified.
 *
 *   scripts/demo   (or: php -d extension=target/release/libdsgvo.so examples/demo.php)
 *
 * Uses the server DSGVO_DSN names (default mysql://root@127.0.0.1:3306/test): drops and creates the database
 * dsgvo_demo beside it (DSGVO_DEMO_DATABASE names another) and leaves it there to look at. The export goes to a
 * temporary directory that is removed at the end. Only the public API of the extension is used; the shop's own
 * rows are written with PDO, as the shop itself writes them.
 */
declare(strict_types=1);

// examples/ is also served for unsubscribe.php (php -S ... -t examples): a request must not recreate a database.
if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    return;
}
if (!extension_loaded('dsgvo')) {
    fwrite(STDERR, "Load the extension: php -d extension=\$PWD/target/release/libdsgvo.so examples/demo.php\n");
    exit(1);
}
require __DIR__ . '/demo/output.php';
require __DIR__ . '/demo/shop.php';
require __DIR__ . '/demo/history.php';

$started = microtime(true);
$base = getenv('DSGVO_DSN') ?: 'mysql://root@127.0.0.1:3306/test';
$database = getenv('DSGVO_DEMO_DATABASE') ?: 'dsgvo_demo';
$tmp = sys_get_temp_dir() . '/dsgvo-demo-' . bin2hex(random_bytes(4));
mkdir($tmp, 0700);
register_shutdown_function(function () use ($tmp): void {
    array_map('unlink', glob("$tmp/*") ?: []);
    @rmdir($tmp);
});
$failed = false;

printf("dsgvo %s, PHP %s: a day in a small osCommerce tea shop (database %s)\n", phpversion('dsgvo'), PHP_VERSION, $database);

// ---------------------------------------------------------------------------------------------------------
demo_section('The shop: its own osCommerce-style schema (examples/demo/schema.sql), seed ' . DemoShop::SEED);
[$shop, $dsn] = DemoShop::create($base, $database);
$shop->fill();
$n = $shop->counts;
demo_say('%d customers, %d orders, %d guest orders, %d reviews', $n['customers'], $n['orders'], $n['guest orders'], $n['reviews']);
demo_say('untidy as shops are: %d accounts changed their address after ordering, %d orders typed in other case,',
    $n['changed address'], $n['typed in other case']);
demo_say('%d orders cancelled, %d accounts never ordered', $n['cancelled'], $n['never ordered']);

// A fresh key per run is fine here: the demo database is new too. A shop keeps its one key (see README, Install).
$store = new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce', 'secret' => bin2hex(random_bytes(32))]);
demo_say("migrate(): dsgvo's tables beside the shop's, schema version %d", $store->migrate());
$notice = $shop->dateAgo(DemoShop::NOTICE_SINCE_DAYS);
$store->defineEmailType('newsletter', 'consent');
$store->defineEmailType('winback', 'existing_customer', ['max_age_days' => DemoShop::WINBACK_MAX_AGE_DAYS, 'notice_since' => $notice, 'min_interval_days' => 30]);
$store->defineEmailType('order.confirmation', 'transactional');
demo_say('types: newsletter (consent); winback (§ 7(3) UWG: own order in %d days, objection notice at checkout since', DemoShop::WINBACK_MAX_AGE_DAYS);
demo_say('       %s, one mail in 30 days); order.confirmation (transactional)', $notice);
$h = demo_history($store, $shop);
demo_say('before today: %d subscribers imported from customers_newsletter, %d consents at checkout,', $h['imported'], $h['checkout']);
demo_say('%d double opt-ins confirmed and %d never, %d withdrawals, %d objections, %d win-back mails 12 days ago',
    $h['confirmed'], $h['pending'], $h['revoked'], $h['objections'], $h['winback sent']);

// ---------------------------------------------------------------------------------------------------------
demo_section('Erika subscribes on the newsletter form: double opt-in, with proof');
$ip = '192.0.2.10';
$agent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1';
$token = $store->requestConsent(DemoShop::ERIKA, 'newsletter', ['source' => 'newsletter_form', 'text' => DEMO_NEWSLETTER_TEXT,
    'text_version' => DEMO_NEWSLETTER_VERSION, 'ip' => $ip, 'user_agent' => $agent]);
demo_say('requestConsent(): mails https://tee.example/confirm.php?t=%s (%d characters, signed)', demo_short($token), strlen($token));
demo_say('maySend(1, newsletter) before she clicks: %s', $store->maySend(DemoShop::ERIKA, 'newsletter')->reason);
// confirm.php shows a button on GET (mail scanners open links) and confirms on POST.
$confirmed = $store->confirmConsent($token, ['source' => 'link', 'ip' => $ip, 'user_agent' => $agent]);
$d = $store->maySend(DemoShop::ERIKA, 'newsletter');
demo_say('she clicks, confirm.php POSTs: confirmConsent() = event #%d; maySend: %s (event #%d)', $confirmed, $d->reason, $d->eventId);
try {
    $store->confirmConsent($token);
    demo_say('the same link again was accepted: WRONG');
    $failed = true;
} catch (Dsgvo\TokenException $e) {
    demo_say('the same link again: TokenException, %s', $e->getMessage());
}
demo_say('consentHistory(1), the proof (times UTC):');
foreach ($store->consentHistory(DemoShop::ERIKA) as $e) {
    demo_say('  #%d %-9s %s  %-15s  %s  %s%s', $e['id'], $e['action'], substr($e['occurred_at'], 11, 8), $e['source'], $e['email'], $e['ip'],
        $e['text'] !== null ? sprintf('  text %s sha256 %s', $e['text_version'], demo_short((string) $e['text_sha256'], 8)) : '');
}

// ---------------------------------------------------------------------------------------------------------
demo_section('Two campaigns to all ' . count($shop->customers) . ' customers: maySend() for each, filterSendable() for the list');
$ids = array_keys($shop->customers);
$types = ['newsletter', 'winback'];
$decided = [];
$sendable = [];
foreach ($types as $type) {
    foreach ($ids as $id) {
        $decided[$type][$id] = $store->maySend($id, $type);
    }
    $sendable[$type] = $store->filterSendable($ids, $type);
    $allowed = array_keys(array_filter($decided[$type], function (Dsgvo\Decision $d): bool {
        return $d->allowed;
    }));
    if ($allowed !== $sendable[$type]) {
        demo_say('%s: filterSendable() and maySend() disagree: WRONG', $type);
        $failed = true;
    }
}
// Reason codes, the allowing ones first, then the denials in the order the decision checks them, with what
// each means for the shop. Only the codes that occur are printed.
$meaning = [
    'consent' => 'allowed: consent in force (a ledger event)',
    'existing_customer' => 'allowed: § 7(3), own sale with this address, after the notice',
    'unknown_customer' => 'no such account in the shop',
    'suppressed' => 'address suppressed (erased, or objected before)',
    'opted_out_all' => 'objected to all marketing mail',
    'opted_out' => 'objected to this type',
    'too_frequent' => 'had one within min_interval_days',
    'consent_revoked' => 'withdrew consent',
    'consent_pending' => 'double opt-in not confirmed',
    'consent_other_address' => 'consent given for an address the account no longer has',
    'no_consent' => 'never consented',
    'no_purchase' => 'no own sale (never ordered, or only cancelled orders)',
    'email_changed' => 'ordered only with an address the account no longer has',
    'purchase_too_old' => 'last sale older than max_age_days',
    'notice_missing' => 'ordered before the checkout gave the objection notice',
];
$rows = [];
foreach ($decided as $type => $decisions) {
    foreach ($decisions as $d) {
        $meaning += [$d->reason => ''];
    }
}
foreach ($meaning as $reason => $text) {
    $counts = [];
    foreach ($types as $type) {
        $counts[] = count(array_filter($decided[$type], function (Dsgvo\Decision $d) use ($reason): bool {
            return $d->reason === $reason;
        }));
    }
    if (array_sum($counts) > 0) {
        $rows[] = array_merge([$reason], array_map(function (int $c) {
            return $c === 0 ? '-' : $c;
        }, $counts), [$text]);
    }
}
$rows[] = ['sendable (filterSendable)', count($sendable['newsletter']), count($sendable['winback']), ''];
demo_table(['reason', 'newsletter', 'winback', 'meaning'], $rows);

// Example rows: the three named customers, then the first customer with each of some telling reasons.
$examples = [DemoShop::ERIKA, DemoShop::JONAS, DemoShop::SABINE];
foreach (['consent_other_address', 'email_changed', 'notice_missing', 'too_frequent', 'opted_out_all'] as $reason) {
    foreach ($ids as $id) {
        if (($decided['newsletter'][$id]->reason === $reason || $decided['winback'][$id]->reason === $reason) && !in_array($id, $examples, true)) {
            $examples[] = $id;
            break;
        }
    }
}
echo "\n";
$rows = [];
foreach ($examples as $id) {
    $cells = [];
    foreach ($types as $type) {
        $d = $decided[$type][$id];
        $cells[] = $d->reason . ($d->eventId !== null ? " (event #$d->eventId)" : '');
    }
    $rows[] = array_merge(["#$id " . $shop->name($id), $shop->customers[$id]['email']], $cells);
}
demo_table(['customer', 'address', 'newsletter', 'winback'], $rows);

$jonasHeaders = null;
foreach ($sendable['newsletter'] as $id) {
    // The shop's mailer: headers for the one-click unsubscribe, then the send on record.
    $headers = $store->unsubscribeHeaders($id, 'newsletter', 'https://tee.example/unsubscribe.php');
    $store->logSend($id, 'newsletter', ['email' => $shop->customers[$id]['email'], 'subject' => 'Die ersten Frühlingstees sind da']);
    $jonasHeaders = $id === DemoShop::JONAS ? $headers : $jonasHeaders;
}
demo_say('newsletter sent to %d: each with unsubscribeHeaders(), each on record with logSend()', count($sendable['newsletter']));

// ---------------------------------------------------------------------------------------------------------
demo_section('Jonas unsubscribes with one click (RFC 8058), as examples/unsubscribe.php processes it');
if ($jonasHeaders === null) {
    demo_say('Jonas got no newsletter: WRONG');
    exit(1);
}
demo_say('his mail: List-Unsubscribe: %s>', demo_short($jonasHeaders['List-Unsubscribe'], 53));
demo_say('          List-Unsubscribe-Post: %s', $jonasHeaders['List-Unsubscribe-Post']);
preg_match('/[?&]t=([^&>]+)/', $jonasHeaders['List-Unsubscribe'], $m);
$token = rawurldecode($m[1]);
$info = $store->readUnsubscribeToken($token);
demo_say('GET (a link scanner, or the page): readUnsubscribeToken() = customer #%d, type %s; isOptedOut: %s',
    $info['customer_id'], $info['type'], var_export($store->isOptedOut(DemoShop::JONAS, 'newsletter'), true));
$post = ['source' => 'link', 'ip' => '198.51.100.77', 'user_agent' => 'Thunderbird/128.4'];
$first = $store->unsubscribe($token, $post);
$again = $store->unsubscribe($token, $post);
demo_say('POST List-Unsubscribe=One-Click: unsubscribe() new %s; the same POST again: new %s', var_export($first['new'], true), var_export($again['new'], true));
$after = [];
foreach ($types as $type) {
    $after[$type] = $store->maySend(DemoShop::JONAS, $type)->reason;
    $before = $decided[$type][DemoShop::JONAS]->reason;
    demo_say('next maySend(2, %s): %s', $type, $after[$type] === $before ? "$before, unchanged: the objection was to the newsletter only" : "{$after[$type]} (was $before)");
}
demo_say('hasConsent(2, newsletter): %s, the withdrawal is in the ledger', var_export($store->hasConsent(DemoShop::JONAS, 'newsletter'), true));
$next = $store->filterSendable($ids, 'newsletter');
demo_say('next newsletter: %d sendable (was %d)', count($next), count($sendable['newsletter']));
$failed = $failed || $after['newsletter'] !== 'opted_out' || count($next) !== count($sendable['newsletter']) - 1;

// ---------------------------------------------------------------------------------------------------------
demo_section('Sabine asks what the shop holds about her (Art. 15): exportTo()');
$export = $store->exportTo(DemoShop::SABINE, "$tmp/sabine-wolf.zip", 'zip', ['received_at' => $shop->dateAgo(3)]);
demo_say('%s: %d bytes, %d sections, %d rows, sha256 %s', basename($export['path']), $export['bytes'], $export['sections'], $export['rows'], demo_short($export['sha256'], 16));
$zip = new ZipArchive();
$zip->open($export['path']);
$rows = [];
for ($i = 0; $i < $zip->numFiles; $i++) {
    $entry = $zip->statIndex($i);
    $rows[] = [$entry['name'], $entry['size']];
}
$zip->close();
demo_table(['file in the ZIP', 'bytes'], $rows);
// What the export found: rows by her id, and by every address she used, also on her guest order before she registered.
$document = json_decode((string) file_get_contents("zip://{$export['path']}#export.json"), true);
$orders = array_values(array_filter($document['sections'], function (array $s): bool {
    return $s['table'] === 'orders';
}))[0]['items'];
$guest = count(array_filter($orders, function (array $o): bool {
    return $o['customers_id'] === 0;
}));
demo_say('her addresses: %s; orders: %d, of them %d as a guest', implode(', ', $document['subject']['emails']), count($orders), $guest);
demo_say('%d tables of the osCommerce data map this shop lacks are named in it as skipped', count($export['skipped']));
foreach ($export['errors'] as $section => $error) {
    demo_say('section %s: %s: WRONG', $section, $error);
    $failed = true;
}

// ---------------------------------------------------------------------------------------------------------
demo_section('... and to be erased (Art. 17): erase() with shop_data, after a dry run');
$options = ['shop_data' => true, 'received_at' => $shop->dateAgo(1)];
$dry = $store->erase(DemoShop::SABINE, $options + ['dry_run' => true]);
$report = $store->erase(DemoShop::SABINE, $options);
$retained = [];
foreach ($report['retained'] as $r) {
    $retained[$r['reason']][$r['table']] = $r['count'];
}
$same = $dry['removed'] === $report['removed'] && $dry['anonymized'] === $report['anonymized'] && $dry['retained'] === $report['retained'];
demo_say('dry run first (counts, changes nothing): %s', $same ? 'the same counts as the erasure' : 'other counts than the erasure: WRONG');
$failed = $failed || !$same;
demo_wrap('removed     ', demo_counts($report['removed']));
demo_wrap('anonymised  ', demo_counts($report['anonymized']));
foreach ($retained as $reason => $tables) {
    demo_wrap('retained    ', demo_counts($tables) . ": $reason");
}
demo_say('suppressed  %d addresses, as HMAC: no account with them is mailed again', $report['suppressed']);
demo_say('maySend(3, newsletter) now: %s', $store->maySend(DemoShop::SABINE, 'newsletter')->reason);
$again = $shop->register('Sabine', 'Wolf', 'Sabine.Wolf@example.net');
demo_say('she registers again as #%d with Sabine.Wolf@example.net; maySend(%d, newsletter): %s', $again, $again, $store->maySend($again, 'newsletter')->reason);

// ---------------------------------------------------------------------------------------------------------
demo_section('The records hold up');
$ledger = $store->verifyLedger();
demo_say("verifyLedger(): ok %s, %d events, first_bad_id %s (Sabine's events kept, proof fields blanked)",
    var_export($ledger['ok'], true), $ledger['events'], var_export($ledger['first_bad_id'], true));
$failed = $failed || !$ledger['ok'];
foreach (array_reverse($store->requestLog()) as $r) {
    demo_say('requestLog(): %-7s %s, received %s, deadline %s, in time: %s', $r['kind'], $r['outcome'], substr($r['received_at'], 0, 10),
        substr($r['deadline'], 0, 10), var_export($r['in_time'], true));
}

printf("\nDone in %.1f s. The database %s stays to look at (DROP DATABASE %s;); the export is removed.\n",
    microtime(true) - $started, $database, $database);
exit($failed ? 1 : 0);
