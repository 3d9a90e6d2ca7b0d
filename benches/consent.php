<?php
/**
 * grantConsent and hasConsent against the same work in plain PHP with PDO, alternating in one process:
 *   grant: the extension appends a hash-chained event in one transaction: the locking read of the
 *          chain head (with START TRANSACTION), then event, head and state with the COMMIT (MariaDB:
 *          two round trips). Two references:
 *          - the issue's: an event row inserted and a state row upserted in one transaction (four round
 *            trips), a lighter job: no chain, no lock, no proof digest;
 *          - the same job in plain PDO: the chain head locked, the event (with a salted digest of the
 *            personal fields and the chain hash, into a copy of the extension's own tables) inserted, the
 *            head moved, the state upserted, committed (six round trips).
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
// The same job: copies of the extension's ledger tables (same columns and keys) and the chained append in PHP.
foreach (['consent_events', 'consent_chain_head', 'consent_state'] as $table) {
    $pdo->exec("CREATE TABLE chain_$table LIKE dsgvo_$table");
}
$pdo->exec("INSERT INTO chain_consent_chain_head SELECT * FROM dsgvo_consent_chain_head");
$chainLock = $pdo->prepare('SELECT h.last_event_id, h.last_hash, st.status FROM chain_consent_chain_head h
  LEFT JOIN chain_consent_state st ON st.customer_id = ? AND st.purpose = ? WHERE h.id = 1 FOR UPDATE');
$chainEvent = $pdo->prepare('INSERT INTO chain_consent_events (id, customer_id, purpose, action, source, ip, user_agent,
  personal_salt, personal_digest, occurred_at, recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
$chainHead = $pdo->prepare('UPDATE chain_consent_chain_head SET last_event_id = ?, last_hash = ? WHERE id = 1');
$chainState = $pdo->prepare('INSERT INTO chain_consent_state (customer_id, purpose, status, event_id, grant_event_id, granted_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE status = VALUES(status), event_id = VALUES(event_id),
  grant_event_id = VALUES(grant_event_id), granted_at = VALUES(granted_at), updated_at = VALUES(updated_at)');
$field = fn (?string $v): string => $v === null ? "\xff\xff\xff\xff" : pack('N', strlen($v)) . $v;
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
    'PDO the same chained append' => function (int $n) use ($pdo, $chainLock, $chainEvent, $chainHead, $chainState, $proof, $field, &$customer): void {
        for ($i = 0; $i < $n; $i++) {
            $id = 1 + ($customer++ % 5000);
            $pdo->beginTransaction();
            $chainLock->execute([$id, 'newsletter']);
            [$last, $prev] = $chainLock->fetch(PDO::FETCH_NUM);
            $chainLock->closeCursor();
            $now = gmdate('Y-m-d H:i:s.') . sprintf('%06d', (int) (microtime(true) * 1e6) % 1000000);
            $salt = random_bytes(16);
            $digest = hash('sha256', $field('dsgvo.consent-personal.v1') . $field($salt) . $field($proof['ip']) . $field($proof['user_agent']) . $field(null), true);
            $next = (int) $last + 1;
            $hash = hash('sha256', $prev . $field('dsgvo.consent-event.v1') . $field(pack('J', $next)) . $field(pack('J', $id))
                . $field('newsletter') . $field('granted') . $field(null) . $field($proof['source']) . $field(null) . $field(null)
                . $field($digest) . $field($now) . $field($now), true);
            $chainEvent->execute([$next, $id, 'newsletter', 'granted', $proof['source'], $proof['ip'], $proof['user_agent'], $salt, $digest, $now, $now, $prev, $hash]);
            $chainHead->execute([$next, $hash]);
            $chainState->execute([$id, 'newsletter', 'granted', $next, $next, $now, $now]);
            $pdo->commit();
        }
    },
], [['extension grantConsent()', 'PDO insert event + upsert state'], ['extension grantConsent()', 'PDO the same chained append']], $rounds, $calls);

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
