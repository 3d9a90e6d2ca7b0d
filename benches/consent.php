<?php
/**
 * grantConsent and hasConsent against the same work in plain PHP with PDO, alternating in one process:
 *   grant: the extension appends a hash-chained event in one transaction: the locking read of the
 *          chain head (with START TRANSACTION), then event, head and state with the COMMIT (MariaDB:
 *          two round trips); the reference inserts an event row and upserts a state row in one
 *          transaction (four).
 *   has:   one indexed lookup each.
 * PDO uses the server's unix socket when there is one, as mysql_async does for loopback servers.
 *   scripts/bench consent   (or: php -d extension=target/release/libdsgvo.so benches/consent.php [rounds] [calls])
 */
declare(strict_types=1);

require __DIR__ . '/lib/bench.php';

$rounds = (int) ($argv[1] ?? 21);
$calls = (int) ($argv[2] ?? 300);
$dsn = bench_database('dsgvo_bench_consent');
$store = new Dsgvo\Store(['dsn' => $dsn]);
$store->migrate();
$pdo = bench_pdo($dsn, true) ?? bench_pdo($dsn);
$pdo->exec("CREATE TABLE ref_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id BIGINT UNSIGNED NOT NULL,
  purpose VARCHAR(64) NOT NULL, action VARCHAR(16) NOT NULL, source VARCHAR(32) NULL, ip VARCHAR(45) NULL,
  user_agent VARCHAR(512) NULL, occurred_at DATETIME(6) NOT NULL, KEY (customer_id, purpose, id)) ENGINE=InnoDB");
$pdo->exec("CREATE TABLE ref_state (customer_id BIGINT UNSIGNED NOT NULL, purpose VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL, event_id BIGINT UNSIGNED NOT NULL, updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (customer_id, purpose)) ENGINE=InnoDB");
$insert = $pdo->prepare('INSERT INTO ref_events (customer_id, purpose, action, source, ip, user_agent, occurred_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))');
$upsert = $pdo->prepare('INSERT INTO ref_state (customer_id, purpose, status, event_id, updated_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))
  ON DUPLICATE KEY UPDATE status = VALUES(status), event_id = VALUES(event_id), updated_at = VALUES(updated_at)');
$select = $pdo->prepare('SELECT status FROM ref_state WHERE customer_id = ? AND purpose = ?');
$proof = ['source' => 'checkout', 'ip' => '192.0.2.10', 'user_agent' => 'Mozilla/5.0 (bench)'];

$customer = 0;
bench_alternate('grantConsent', [
    'extension grantConsent()' => function (int $n) use ($store, $proof, &$customer): void {
        for ($i = 0; $i < $n; $i++) {
            $store->grantConsent(1 + ($customer++ % 5000), 'newsletter', $proof);
        }
    },
    'PDO insert event + upsert state' => function (int $n) use ($pdo, $insert, $upsert, $proof, &$customer): void {
        for ($i = 0; $i < $n; $i++) {
            $id = 1 + ($customer++ % 5000);
            $pdo->beginTransaction();
            $insert->execute([$id, 'newsletter', 'granted', $proof['source'], $proof['ip'], $proof['user_agent']]);
            $upsert->execute([$id, 'newsletter', 'granted', (int) $pdo->lastInsertId()]);
            $pdo->commit();
        }
    },
], [['extension grantConsent()', 'PDO insert event + upsert state']], $rounds, $calls);

bench_alternate('hasConsent', [
    'extension hasConsent()' => function (int $n) use ($store): void {
        for ($i = 0; $i < $n; $i++) {
            $store->hasConsent(1 + $i % 5000, 'newsletter');
        }
    },
    'PDO indexed select' => function (int $n) use ($select): void {
        for ($i = 0; $i < $n; $i++) {
            $select->execute([1 + $i % 5000, 'newsletter']);
            $select->fetchColumn() === 'granted';
        }
    },
], [['extension hasConsent()', 'PDO indexed select']], $rounds, $calls * 10);

bench_drop_database('dsgvo_bench_consent');
