<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Issue 16, acceptance 1: on every real shop schema, with MailBeez 2.92's tables beside it (and Zen Cart's
 * admin_activity_log), a customer with messy data — two accounts, a changed address, a guest order, a review
 * naming her street, an admin-log row with her address gz-compressed as Zen Cart writes it, session rows,
 * MailBeez rows — is erased with shop_data, and then a dump of every table (compressed and base64 values
 * decoded) holds none of her last name, street, phone or addresses outside the tables the reports list as
 * retained. The other customer's rows stay as they were.
 */
final class EraseDumpTest extends TestCase
{
    private const SECRET = '1edf8bab83504f497acd50da7c84310ec4048b448775cc6bee7bdee5899133f2';

    /** What must not remain of her (case-insensitive). */
    private const HERS = ['Mustermann', 'Teststraße', '123 45 67', '1234567', 'erika.mustermann@example.org', 'erika.alt@example.org', 'erika.m@example.net'];

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        $cases = [];
        foreach (ShopSchemas::PRESETS as $file => [$shop, $prefix]) {
            $cases[$file] = [$file, $shop, $prefix];
        }
        return $cases;
    }

    /** @param array<string, mixed> $row */
    private function insert(Shop $shop, string $table, array $row): void
    {
        $columns = array_keys($row);
        $shop->db->pdo->prepare(sprintf('INSERT INTO %s (`%s`) VALUES (%s)', $shop->table($table), implode('`, `', $columns), implode(', ', array_fill(0, count($columns), '?'))))
            ->execute(array_values($row));
    }

    private function seed(Shop $shop, ShopRows $rows, bool $adminLog): void
    {
        $erika = ['first' => 'Erika', 'last' => 'Mustermann', 'street' => 'Teststraße 12a', 'postcode' => '12345', 'city' => 'Musterstadt', 'phone' => '030 / 123 45 67'];
        $bert = ['first' => 'Bert', 'last' => 'Beispiel', 'street' => 'Andere Gasse 3', 'postcode' => '54321', 'city' => 'Musterstadt', 'phone' => '089 998877'];
        $rows->account('A', $erika + ['id' => 601, 'email' => 'erika.mustermann@example.org']);
        // Her second account, with another address; and Bert, who lives in her city and shares her first name's initial.
        $rows->account('A', $erika + ['id' => 602, 'email' => 'erika.m@example.net', 'street' => 'Teststraße 14']);
        $rows->account('B', $bert + ['id' => 603, 'email' => 'bert@example.org']);
        $rows->order('A', 7001, 601, 'erika.alt@example.org', $erika, 400, [1 => 'Teekanne'], 'Bitte bei Mustermann klingeln');
        $rows->order('A', 7002, 601, 'erika.mustermann@example.org', $erika, 30, [2 => 'Tasse']);
        $rows->order('A', 7003, 0, ' Erika.Mustermann@Example.org ', $erika, 10, [2 => 'Tasse']); // as a guest
        $rows->order('B', 7004, 603, 'bert@example.org', $bert, 5, [1 => 'Teekanne'], 'Bert kommt selbst vorbei');
        $rows->review('A', 601, 'Erika M.', 1, 'Toll! Grüße aus der Teststraße an alle.');
        $rows->review('A', 601, 'Erika M.', 2, 'Sehr gutes Produkt, gerne wieder.');
        $rows->review('A', 602, 'Erika', 2, 'Ruft mich an: 030 1234567');
        $rows->review('B', 603, 'Bert B.', 1, 'Erika aus Musterstadt hat es mir empfohlen.');
        $rows->insert('A', 'whos_online', ['customer_id' => 601, 'full_name' => 'Erika Mustermann', 'session_id' => 'sess-erika', 'ip_address' => '198.51.100.7', 'time_entry' => '1700000000', 'time_last_click' => '1700000100', 'last_page_url' => '/account.php']);
        if ($rows->has('sessions')) {
            $encode = $rows->hasColumn('sessions', 'flag') || $shop->preset === 'zencart';
            $data = [
                'sess-erika' => 'language|s:6:"german";customer_id|i:601;customer_first_name|s:5:"Erika";customer_last_name|s:10:"Mustermann";sendto|s:14:"Teststraße 12a";',
                'sess-guest' => 'language|s:6:"german";customer_id|i:0;guest_email|s:28:"erika.mustermann@example.org";',
                'sess-bert' => 'language|s:6:"german";customer_id|i:603;customer_first_name|s:4:"Bert";',
            ];
            foreach ($data as $key => $value) {
                $this->insert($shop, 'sessions', ['sesskey' => $key, 'expiry' => time() + 1440, 'value' => $encode ? base64_encode($value) : $value]);
            }
        }
        if ($adminLog) {
            // An admin search for her address, and the admin editing her account, as Zen Cart logs them.
            $post = json_encode(['customers_firstname' => 'Erika', 'customers_lastname' => 'Mustermann', 'customers_email_address' => 'erika.mustermann@example.org',
                'entry_street_address' => 'Teststraße 12a', 'customers_telephone' => '030 / 123 45 67']);
            foreach ([['customers.php', 'search=erika.mustermann%40example.org&page=1', ''], ['customers.php', 'cID=601&action=update', $post], ['customers.php', 'cID=603&action=edit', json_encode(['x' => 'Bert'])], ['orders.php', 'cID=601', '[]'], ['coupon_admin.php', 'cID=601', '[]']] as [$page, $parameters, $postdata]) {
                $this->insert($shop, 'admin_activity_log', ['access_date' => '2025-01-02 03:04:05', 'admin_id' => 1, 'page_accessed' => $page, 'page_parameters' => $parameters,
                    'ip_address' => '10.0.0.1', 'flagged' => 0, 'attention' => '', 'gzpost' => gzdeflate((string) $postdata, 7),
                    'logmessage' => 'Accessed page [customers.php]', 'severity' => 'info']);
            }
        }
        // MailBeez: mails, opens, clicks, a bounce, her block entry, the event log.
        foreach ([[601, 'erika.mustermann@example.org', 'mb-1'], [0, 'erika.alt@example.org', 'mb-2'], [603, 'bert@example.org', 'mb-3']] as [$id, $email, $message]) {
            $this->insert($shop, 'mailbeez_tracking', ['module' => 'winback', 'iteration' => 1, 'customers_id' => $id, 'customers_email' => $email, 'orders_id' => 0,
                'date_sent' => '2025-01-01 00:00:00', 'simulation' => 0, 'channel' => 'email', 'batch_id' => 1, 'message_id' => $message, 'bounce_status' => '']);
            $this->insert($shop, 'mailbeez_opens_log', ['message_id' => $message, 'date' => '2025-01-02 00:00:00', 'user_agent' => "Agent $message"]);
            $this->insert($shop, 'mailbeez_tracking_clicks', ['message_id' => $message, 'date_record' => '2025-01-02 00:00:00', 'url' => "https://shop.example/?m=$message"]);
        }
        $this->insert($shop, 'mailbeez_bounces', ['autoemail_id' => 1, 'customers_email' => 'erika.mustermann@example.org', 'customers_id' => 601, 'module' => 'winback', 'date_bounce' => '2025-01-03 00:00:00', 'bounce_type' => 's']);
        $this->insert($shop, 'mailbeez_bounces_msg_log', ['autoemail_id' => 1, 'bounce_msg' => 'Mailbox of erika.mustermann@example.org (Erika Mustermann) is full']);
        $this->insert($shop, 'mailbeez_block', ['module' => 'winback', 'customers_id' => 602, 'date_block' => '2025-01-04 00:00:00', 'simulation' => 0, 'source' => 0]);
        $this->insert($shop, 'mailbeez_tracking_orders', ['message_id' => 'mb-1', 'orders_id' => 7002, 'customers_id' => 601, 'date_record' => '2025-01-05 00:00:00']);
        $this->insert($shop, 'mailbeez_event_log', ['event_type' => 'send', 'log_entry' => 'winback sent to erika.alt@example.org', 'batch_id' => 1, 'module' => 'winback',
            'class' => 'winback', 'result' => 'ok', 'parameters' => '', 'log_date' => '2025-01-01 00:00:00', 'query_string' => '', 'simulation' => 0]);
    }

    /** @return array<string, list<string>> table => each row as text, compressed and base64 values decoded */
    private static function dump(PDO $pdo): array
    {
        $out = [];
        foreach ($pdo->query('SHOW TABLES')->fetchAll(PDO::FETCH_COLUMN) as $table) {
            $rows = [];
            foreach ($pdo->query("SELECT * FROM `$table`")->fetchAll(PDO::FETCH_ASSOC) as $row) {
                $text = [];
                foreach ($row as $column => $value) {
                    $value = (string) $value;
                    $decoded = [$value, rawurldecode($value)];
                    $inflated = $value === '' ? false : @gzinflate($value);
                    if (is_string($inflated)) {
                        $decoded[] = $inflated;
                        $decoded[] = json_encode(json_decode($inflated, true), JSON_UNESCAPED_UNICODE);
                    }
                    $base64 = base64_decode($value, true);
                    if (is_string($base64)) {
                        $decoded[] = $base64;
                    }
                    $text[] = "$column=" . implode(' | ', $decoded);
                }
                $rows[] = implode("\n", $text);
            }
            sort($rows);
            $out[$table] = $rows;
        }
        return $out;
    }

    /** @param array<string, mixed> ...$reports @return list<string> */
    private static function retained(array ...$reports): array
    {
        $tables = [];
        foreach ($reports as $report) {
            foreach ($report['retained'] as $r) {
                if ($r['count'] > 0) {
                    $tables[] = $r['table'];
                }
            }
        }
        return array_values(array_unique($tables));
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testNothingOfHerRemainsOutsideRetainedRows(string $file, string $preset, string $prefix): void
    {
        if (ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $shop = Shop::create($file, $preset, $prefix);
        try {
            ShopSchemas::loadMailBeez($shop->db->pdo, $prefix);
            $adminLog = $preset === 'zencart' && ShopSchemas::loadZenCartAdminLog($shop->db->pdo, $prefix);
            if ($preset === 'zencart') {
                $this->assertTrue($adminLog, 'the Zen Cart source tree with admin_activity_log is beside the schemas');
            }
            $rows = new ShopRows($shop);
            $this->seed($shop, $rows, $adminLog);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $before = self::dump($shop->db->pdo);
            $found = 0;
            foreach ($before as $table => $tableRows) {
                foreach ($tableRows as $row) {
                    $found += (int) (stripos($row, 'Mustermann') !== false || stripos($row, 'erika.') !== false);
                }
            }
            $this->assertGreaterThan(12, $found, 'her data is spread over the shop');

            // The export shows what erasure will handle: MailBeez rows, the admin log with its POST data inflated,
            // sessions listed without their content.
            $doc = json_decode($store->export(601), true, 64, JSON_THROW_ON_ERROR);
            $sections = array_column($doc['sections'], null, 'table');
            foreach (['mailbeez_tracking' => 2, 'mailbeez_opens_log' => 2, 'mailbeez_tracking_clicks' => 2, 'mailbeez_bounces' => 1, 'mailbeez_event_log' => 1] as $table => $count) {
                $this->assertCount($count, $sections[$prefix . $table]['items'] ?? [], "$file: $table exported");
            }
            if ($adminLog) {
                $items = $sections[$prefix . 'admin_activity_log']['items'];
                $this->assertCount(3, $items, 'the search, the edit, her orders (not the coupon page)');
                $this->assertContains('{"customers_firstname":"Erika","customers_lastname":"Mustermann","customers_email_address":"erika.mustermann@example.org","entry_street_address":"Teststra\\u00dfe 12a","customers_telephone":"030 \\/ 123 45 67"}', array_column($items, 'gzpost'), 'POST data inflated to the JSON Zen Cart stored');
            }
            if ($rows->has('sessions')) {
                $items = $sections[$prefix . 'sessions']['items'];
                $this->assertCount(2, $items, 'her session and the guest session with her address');
                $this->assertSame(['(present, not exported)', '(present, not exported)'], array_column($items, 'value'));
            }

            $first = $store->erase(601, ['shop_data' => true]);
            $second = $store->erase(602, ['shop_data' => true]);
            $retained = self::retained($first, $second);
            $this->assertContains($prefix . 'orders', $retained, 'orders are kept for tax law');

            $after = self::dump($shop->db->pdo);
            // Where her data is kept, the report says until when (issue 16: "retained with an end date").
            $ends = [];
            foreach (array_merge($first['retained'], $second['retained']) as $r) {
                if ($r['count'] > 0 && ($r['retained_until'] ?? null) !== null) {
                    $ends[$r['table']] = $r['retained_until'];
                }
            }
            foreach ($after as $table => $tableRows) {
                if (in_array($table, $retained, true)) {
                    $holds = array_filter($tableRows, function (string $row): bool {
                        foreach (self::HERS as $value) {
                            if (stripos($row, $value) !== false) {
                                return true;
                            }
                        }
                        return false;
                    });
                    if ($holds !== []) {
                        $this->assertArrayHasKey($table, $ends, "$file: $table keeps her data, so the report must give its end date");
                        $this->assertMatchesRegularExpression('/^\d{4}-\d{2}-\d{2}$/', $ends[$table]);
                    }
                    continue;
                }
                foreach ($tableRows as $row) {
                    foreach (self::HERS as $value) {
                        $this->assertStringNotContainsStringIgnoringCase($value, $row, "$file: $table still holds $value:\n$row");
                    }
                }
            }
            // Reviews: the text naming her street is gone, the one naming nobody is kept, Bert's untouched.
            $texts = $shop->db->pdo->query("SELECT reviews_text FROM {$shop->table('reviews_description')} ORDER BY reviews_id")->fetchAll(PDO::FETCH_COLUMN);
            $this->assertSame(['[removed]', 'Sehr gutes Produkt, gerne wieder.', '[removed]', 'Erika aus Musterstadt hat es mir empfohlen.'], $texts, "$file: review texts");
            $this->assertSame(1, $first['anonymized'][$prefix . 'reviews_description'] ?? null, 'reported: the text naming her street');
            $this->assertSame(1, $first['retained'][array_search($prefix . 'reviews_description', array_column($first['retained'], 'table'), true)]['count'], 'reported: the text kept');
            $this->assertSame(1, $second['anonymized'][$prefix . 'reviews_description'] ?? null, 'reported: the text with her phone number');
            // What is Bert's is all still there.
            foreach (['bert@example.org', 'Beispiel', 'Agent mb-3', 'sess-bert', 'cID=603'] as $value) {
                if ($value === 'sess-bert' && !$rows->has('sessions') || $value === 'cID=603' && !$adminLog) {
                    continue;
                }
                $this->assertStringContainsString($value, implode("\n", array_merge(...array_values($after))), "$file: Bert's $value kept");
            }
            if ($adminLog) {
                $this->assertSame(3, $first['anonymized'][$prefix . 'admin_activity_log'] ?? null, 'the admin log rows about her cleared');
                $this->assertSame(5, (int) $shop->db->pdo->query("SELECT COUNT(*) FROM {$shop->table('admin_activity_log')}")->fetchColumn(), 'the admin log keeps its rows');
            }
            if ($rows->has('sessions')) {
                $this->assertSame(2, $first['removed'][$prefix . 'sessions'] ?? null, 'her session and the guest session with her address');
            }
        } finally {
            $shop->drop();
        }
    }
}
