<?php
/**
 * logSend throughput against a PDO insert of the same row (prepared, autocommit), alternating in one
 * process. PDO uses the server's unix socket when there is one, as mysql_async does for loopback servers.
 *   scripts/bench records   (or: php -d extension=target/release/libdsgvo.so benches/records.php [rounds] [calls])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

$rounds = (int) ($argv[1] ?? 21);
$calls = (int) ($argv[2] ?? 500);
$dsn = bench_database('dsgvo_bench_records');
$store = new Dsgvo\Store(['dsn' => $dsn]);
$store->migrate();
$pdo = bench_pdo($dsn, true) ?? bench_pdo($dsn);
$insert = $pdo->prepare('INSERT INTO dsgvo_send_log (customer_id, type, email, subject, message_id, order_id, sent_at)
    VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))');
$meta = ['email' => 'erika.mustermann@example.org', 'subject' => 'Wie gefällt Ihnen Ihre Bestellung?', 'message_id' => '<b7a1@shop.example>', 'order_id' => 4711];

$n = 0;
bench_alternate('logSend', [
    'extension logSend()' => function (int $calls) use ($store, $meta, &$n): void {
        for ($i = 0; $i < $calls; $i++) {
            $store->logSend(1 + ($n++ % 10000), 'review.request', $meta);
        }
    },
    'PDO insert' => function (int $calls) use ($pdo, $insert, $meta, &$n): void {
        for ($i = 0; $i < $calls; $i++) {
            $insert->execute([1 + ($n++ % 10000), 'review.request', strtolower(trim($meta['email'])), $meta['subject'], $meta['message_id'], $meta['order_id']]);
            $pdo->lastInsertId();
        }
    },
], [['extension logSend()', 'PDO insert']], $rounds, $calls);
bench_drop_database('dsgvo_bench_records');
