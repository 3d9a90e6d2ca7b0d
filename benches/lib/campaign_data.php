<?php
/**
 * The shop the decision benchmarks run on: the project's minimal schema or the real osCommerce 2.3.4.1 schema
 * (../shared/fixtures/shop-schemas/oscommerce2.sql), filled by set statements in the database (so a million
 * customers take about a minute, not a PHP loop), the same for both:
 *   0–3 orders per customer (by id), one in six placed with an older address, one in ten cancelled
 *   (status 3, named "Cancelled"), up to 1,000 days old; 15% with a consent state for a type (four in five
 *   granted, the rest revoked); 10% with an objection (to all mail or to one type), up to 900 days old;
 *   0.5% suppressed by id (erased).
 * The types: newsletter (consent) and winback (existing_customer, 730 days, notice since 2000-01-01).
 */
declare(strict_types=1);

/** @return array{0: string, 1: PDO, 2: Dsgvo\Store} DSN, PDO (socket where there is one), Store */
function campaign_shop(string $database, string $schema, int $customers, string $secret): array
{
    $dsn = bench_database($database);
    $pdo = bench_pdo($dsn, true) ?? bench_pdo($dsn);
    $pdo->setAttribute(PDO::MYSQL_ATTR_USE_BUFFERED_QUERY, true);
    if ($schema === 'oscommerce2') {
        if (Dsgvo\Tests\ShopSchemas::directory() === null) {
            fwrite(STDERR, Dsgvo\Tests\ShopSchemas::skipReason() . "\n");
            exit(2);
        }
        Dsgvo\Tests\ShopSchemas::load($pdo, 'oscommerce2.sql');
    } else {
        Dsgvo\Tests\ShopSchemas::loadMinimal($pdo);
    }
    // The shops write with a lax sql_mode (their NOT NULL columns without defaults get '').
    $pdo->exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    $store = new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce', 'secret' => $secret]);
    $store->migrate();
    $store->defineEmailType('newsletter', 'consent');
    $store->defineEmailType('winback', 'existing_customer', ['max_age_days' => 730, 'notice_since' => '2000-01-01']);

    $t = microtime(true);
    $n = $customers;
    $pdo->exec("INSERT INTO orders_status (orders_status_id, language_id, orders_status_name)
        VALUES (1, 1, 'Pending'), (2, 1, 'Delivered'), (3, 1, 'Cancelled')");
    $pdo->exec("INSERT INTO customers (customers_id, customers_email_address)
        SELECT seq, CONCAT('customer', seq, '@example.org') FROM seq_1_to_$n");
    // Orders: (id * 7919) mod 4 of them per customer; the rest by hashes of the id and the order number.
    $pdo->exec("INSERT INTO orders (customers_id, customers_email_address, date_purchased, orders_status)
        SELECT c.seq,
               IF(CRC32(CONCAT('a', c.seq, k.seq)) % 6 = 0, CONCAT('old', c.seq, '@example.org'), CONCAT('customer', c.seq, '@example.org')),
               NOW() - INTERVAL CRC32(CONCAT('d', c.seq, k.seq)) % 1000 DAY,
               IF(CRC32(CONCAT('s', c.seq, k.seq)) % 10 = 0, 3, 1 + CRC32(CONCAT('t', c.seq, k.seq)) % 2)
        FROM seq_1_to_$n c JOIN seq_1_to_3 k ON k.seq <= (c.seq * 7919) % 4");
    foreach (['newsletter', 'winback'] as $i => $type) {
        $pdo->exec("INSERT INTO dsgvo_consent_state (customer_id, purpose, status, event_id, grant_event_id, granted_at, updated_at)
            SELECT seq, '$type', IF(CRC32(CONCAT('g$i', seq)) % 5 = 0, 'revoked', 'granted'), seq * 2 + $i, seq * 2 + $i,
                   UTC_TIMESTAMP(6) - INTERVAL CRC32(CONCAT('w$i', seq)) % 900 DAY, UTC_TIMESTAMP(6)
            FROM seq_1_to_$n WHERE CRC32(CONCAT('c$i', seq)) % 100 < 15");
    }
    $pdo->exec("INSERT INTO dsgvo_opt_outs (customer_id, type, created_at)
        SELECT seq, ELT(1 + CRC32(CONCAT('y', seq)) % 3, '*', 'newsletter', 'winback'),
               UTC_TIMESTAMP(6) - INTERVAL CRC32(CONCAT('z', seq)) % 900 DAY
        FROM seq_1_to_$n WHERE CRC32(CONCAT('o', seq)) % 100 < 10");
    $pdo->exec("INSERT INTO dsgvo_suppressions (customer_id, type, reason, created_at)
        SELECT seq, '*', 'erased', UTC_TIMESTAMP(6) FROM seq_1_to_$n WHERE CRC32(CONCAT('e', seq)) % 200 = 0");
    $pdo->exec("UPDATE dsgvo_counters SET value = value + 1 WHERE name = 'catalog'");
    $pdo->query('ANALYZE TABLE customers, orders, dsgvo_consent_state, dsgvo_opt_outs, dsgvo_suppressions')->fetchAll();
    $count = fn (string $sql): int => (int) $pdo->query($sql)->fetchColumn();
    printf("dataset (%s schema): %d customers, %d orders, %d consent states, %d objections, %d suppressed (%.1f s)\n",
        $schema === 'oscommerce2' ? 'real osCommerce 2.3.4.1' : 'minimal', $n, $count('SELECT COUNT(*) FROM orders'),
        $count('SELECT COUNT(*) FROM dsgvo_consent_state'), $count('SELECT COUNT(*) FROM dsgvo_opt_outs'),
        $count('SELECT COUNT(*) FROM dsgvo_suppressions'), microtime(true) - $t);
    return [$dsn, $pdo, $store];
}

/**
 * The one set statement a PHP developer writes for a campaign, over the same rules: not suppressed; no objection
 * unless a newer consent in force; consent in force, or for winback a sale (not cancelled) at the current address
 * within 730 days unless the consent was revoked. Returns the allowed ids, by id. `$ids`: only these (an IN list).
 *
 * @param list<int>|null $ids
 * @return list<int>
 */
function campaign_reference(PDO $pdo, string $type, ?array $ids = null): array
{
    $sale = $type === 'winback'
        ? "OR (NOT st.status <=> 'revoked' AND EXISTS(SELECT 1 FROM orders o
               WHERE o.customers_id = c.customers_id AND o.orders_status <> 3
                 AND LOWER(TRIM(o.customers_email_address)) = LOWER(TRIM(c.customers_email_address))
                 AND o.date_purchased >= NOW() - INTERVAL 730 DAY))"
        : '';
    $in = $ids === null ? '' : 'AND c.customers_id IN (' . implode(',', array_fill(0, count($ids), '?')) . ')';
    $q = $pdo->prepare("SELECT c.customers_id FROM customers c
        LEFT JOIN dsgvo_consent_state st ON st.customer_id = c.customers_id AND st.purpose = ?
        WHERE NOT EXISTS(SELECT 1 FROM dsgvo_suppressions s WHERE s.customer_id = c.customers_id)
          AND NOT EXISTS(SELECT 1 FROM dsgvo_opt_outs x WHERE x.customer_id = c.customers_id AND x.type IN ('*', ?)
                AND NOT (st.status <=> 'granted' AND st.granted_at > x.created_at))
          AND (st.status <=> 'granted' $sale) $in
        ORDER BY c.customers_id");
    $q->execute(array_merge([$type, $type], $ids ?? []));
    return array_map('intval', $q->fetchAll(PDO::FETCH_COLUMN));
}
