<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * MailBeez beside the shop (issue 16, acceptance 2): the export of a MailBeez customer shows their
 * tracking, opens, clicks, bounces and block entries and nobody else's; erasure removes exactly those;
 * importOptOuts turns the block list into objections, each entry once, and the blocked addresses answer
 * opted_out / opted_out_all.
 */
final class MailBeezTest extends TestCase
{
    private const SECRET = '5c0f1e6a2b7d4c3e9f8a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return [
            'minimal schema with the project\'s MailBeez tables' => ['minimal', 'oscommerce', ''],
            'Zen Cart 2.2.2 with zen_ and MailBeez 2.92' => ['zencart_installed_zen_prefix.sql', 'zencart', 'zen_'],
        ];
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $shop = Shop::create($fixture, $preset, $prefix);
        ShopSchemas::loadMailBeez($shop->db->pdo, $prefix, $fixture !== 'minimal');
        return $shop;
    }

    /** @param array<string, mixed> $row */
    private function insert(Shop $shop, string $table, array $row): int
    {
        $columns = array_keys($row);
        $shop->db->pdo->prepare(sprintf(
            'INSERT INTO %s (%s) VALUES (%s)',
            $shop->table($table),
            implode(', ', $columns),
            implode(', ', array_fill(0, count($columns), '?'))
        ))->execute(array_values($row));
        return (int) $shop->db->pdo->lastInsertId();
    }

    private function mail(Shop $shop, int $customerId, string $email, string $messageId, string $module = 'winback'): int
    {
        return $this->insert($shop, 'mailbeez_tracking', [
            'module' => $module, 'iteration' => 1, 'customers_id' => $customerId, 'customers_email' => $email,
            'orders_id' => 0, 'date_sent' => '2025-03-04 05:06:07', 'simulation' => 0, 'channel' => 'email',
            'batch_id' => 7, 'message_id' => $messageId, 'bounce_status' => '',
        ]);
    }

    private function block(Shop $shop, int $customerId, string $module, int $simulation = 0): void
    {
        $this->insert($shop, 'mailbeez_block', [
            'module' => $module, 'customers_id' => $customerId, 'date_block' => '2024-01-02 03:04:05', 'simulation' => $simulation, 'source' => 0,
        ]);
    }

    /** Erika (501) and Bert (502) with their MailBeez rows, and rows that only look like Erika's. */
    private function seed(Shop $shop): void
    {
        $shop->addCustomer('erika@example.org', 501);
        $shop->addCustomer('bert@example.org', 502);
        $erika1 = $this->mail($shop, 501, 'erika@example.org', 'm-erika-1');
        $erika2 = $this->mail($shop, 501, 'erika@example.org', 'm-erika-2');
        // A mail to her address before she had an account (customers_id 0), typed with case and spaces.
        $this->mail($shop, 0, ' ERIKA@Example.org ', 'm-erika-guest');
        // Not hers: Bert's mail, an accent variant of her address, her address on Bert's row.
        $bert = $this->mail($shop, 502, 'bert@example.org', 'm-bert-1');
        $this->mail($shop, 0, 'érika@example.org', 'm-accent');
        $this->mail($shop, 502, 'erika@example.org', 'm-bert-with-erikas-address');
        foreach ([['m-erika-1', 'UA-ERIKA-OPEN'], ['m-erika-guest', 'UA-ERIKA-GUEST'], ['m-bert-1', 'UA-BERT'], ['m-accent', 'UA-ACCENT'], ['', 'UA-EMPTY'], ['m-bert-with-erikas-address', 'UA-BERT-2']] as [$message, $agent]) {
            $this->insert($shop, 'mailbeez_opens_log', ['message_id' => $message, 'date' => '2025-03-05 00:00:00', 'user_agent' => $agent]);
        }
        foreach ([['m-erika-2', 'https://shop.example/?c=erika-click'], ['m-bert-1', 'https://shop.example/?c=bert-click']] as [$message, $url]) {
            $this->insert($shop, 'mailbeez_tracking_clicks', ['message_id' => $message, 'date_record' => '2025-03-05 00:00:00', 'url' => $url]);
        }
        $this->insert($shop, 'mailbeez_tracking_orders', ['message_id' => 'm-erika-2', 'orders_id' => 9001, 'customers_id' => 501, 'date_record' => '2025-03-06 00:00:00']);
        $this->insert($shop, 'mailbeez_tracking_orders', ['message_id' => 'm-bert-1', 'orders_id' => 9002, 'customers_id' => 502, 'date_record' => '2025-03-06 00:00:00']);
        $this->insert($shop, 'mailbeez_bounces', ['autoemail_id' => $erika2, 'customers_email' => 'erika@example.org', 'customers_id' => 501, 'module' => 'winback', 'date_bounce' => '2025-03-07 00:00:00', 'bounce_type' => 's']);
        $this->insert($shop, 'mailbeez_bounces_msg_log', ['autoemail_id' => $erika2, 'bounce_msg' => 'Mailbox full: erika@example.org MSG-ERIKA']);
        $this->insert($shop, 'mailbeez_bounces', ['autoemail_id' => $bert, 'customers_email' => 'bert@example.org', 'customers_id' => 502, 'module' => 'winback', 'date_bounce' => '2025-03-07 00:00:00', 'bounce_type' => 'h']);
        $this->insert($shop, 'mailbeez_bounces_msg_log', ['autoemail_id' => $bert, 'bounce_msg' => 'No such user: bert@example.org MSG-BERT']);
        foreach (['winback sent to erika@example.org LOG-ERIKA', 'winback sent to xerika@example.org LOG-XERIKA', 'batch done LOG-NOBODY'] as $entry) {
            $this->insert($shop, 'mailbeez_event_log', [
                'event_type' => 'send', 'log_entry' => $entry, 'batch_id' => 7, 'module' => 'winback', 'class' => 'winback',
                'result' => 'ok', 'parameters' => '', 'log_date' => '2025-03-04 05:06:07', 'query_string' => '', 'simulation' => 0,
            ]);
        }
        $this->block($shop, 501, 'winback');
        $this->block($shop, 502, 'review_reminder');
        unset($erika1);
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testExportShowsTheCustomersMailBeezRowsAndErasureRemovesExactlyThose(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $this->seed($shop);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();

            $json = $store->export(501);
            $doc = json_decode($json, true, 64, JSON_THROW_ON_ERROR);
            $sections = array_column($doc['sections'], null, 'table');
            $expected = [
                'mailbeez_tracking' => 3, 'mailbeez_opens_log' => 2, 'mailbeez_tracking_clicks' => 1, 'mailbeez_block' => 1,
                'mailbeez_bounces' => 1, 'mailbeez_bounces_msg_log' => 1, 'mailbeez_event_log' => 1, 'mailbeez_tracking_orders' => 1,
            ];
            foreach ($expected as $table => $count) {
                $this->assertArrayHasKey($prefix . $table, $sections, "$fixture: $table is exported");
                $this->assertNull($sections[$prefix . $table]['error']);
                $this->assertCount($count, $sections[$prefix . $table]['items'], "$fixture: Erika's rows of $table");
            }
            foreach (['m-erika-1', 'm-erika-guest', 'UA-ERIKA-OPEN', 'UA-ERIKA-GUEST', 'erika-click', 'MSG-ERIKA', 'LOG-ERIKA', '"winback"'] as $value) {
                $this->assertStringContainsString($value, $json, "$fixture: $value exported");
            }
            foreach (['UA-BERT', 'UA-ACCENT', 'UA-EMPTY', 'bert-click', 'MSG-BERT', 'LOG-XERIKA', 'LOG-NOBODY', 'review_reminder', 'm-accent', 'm-bert'] as $value) {
                $this->assertStringNotContainsString($value, $json, "$fixture: $value is not Erika's");
            }

            $before = $this->counts($shop, array_keys($expected));
            $report = $store->erase(501, ['shop_data' => true]);
            $after = $this->counts($shop, array_keys($expected));
            foreach ($expected as $table => $count) {
                $this->assertSame($count, $report['removed'][$prefix . $table] ?? null, "$fixture: report of $table");
                $this->assertSame($before[$table] - $count, $after[$table], "$fixture: exactly Erika's rows of $table are gone");
            }
            $this->assertSame(1, $report['skipped_other_owner'][$prefix . 'mailbeez_tracking'] ?? null, "Bert's row with Erika's address is left and counted");
            $left = json_encode($shop->db->pdo->query("SELECT * FROM {$shop->table('mailbeez_opens_log')} ORDER BY id")->fetchAll());
            foreach (['UA-BERT', 'UA-ACCENT', 'UA-EMPTY', 'UA-BERT-2'] as $agent) {
                $this->assertStringContainsString($agent, $left, "$fixture: $agent kept");
            }
            $again = $store->erase(501, ['shop_data' => true]);
            $this->assertSame(0, array_sum($again['removed']), 'a re-run finds nothing');
        } finally {
            $shop->drop();
        }
    }

    /** @param list<string> $tables @return array<string, int> */
    private function counts(Shop $shop, array $tables): array
    {
        $out = [];
        foreach ($tables as $table) {
            $out[$table] = (int) $shop->db->pdo->query("SELECT COUNT(*) FROM {$shop->table($table)}")->fetchColumn();
        }
        return $out;
    }

    private function ownCount(Shop $shop, string $sql): int
    {
        return (int) $shop->db->pdo->query($sql)->fetchColumn();
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testBlockEntriesBecomeObjectionsOnce(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $this->seed($shop);
            $shop->addCustomer('carla@example.org', 503);
            $shop->addCustomer('dora@example.org', 504);
            $this->block($shop, 501, 'winback'); // MailBeez blocked her twice for the same module
            $this->block($shop, 503, 'birthday');
            $this->block($shop, 504, 'winback', 1); // a test run of MailBeez
            $this->block($shop, 0, 'winback');
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('winback', 'consent');
            $store->grantConsent(501, 'winback');
            $this->assertSame('consent', $store->maySend(501, 'winback')->reason);

            $dry = $store->importOptOuts(['source' => 'mailbeez', 'dry_run' => true, 'type_map' => ['birthday' => 'winback']]);
            $this->assertSame(['source' => 'mailbeez', 'entries' => 6, 'imported' => 4, 'already_present' => 0, 'already_objected' => 0,
                'skipped_simulation' => 1, 'skipped_no_customer' => 1, 'by_type' => ['winback' => 3, '*' => 1], 'dry_run' => true], $dry);
            $this->assertSame('consent', $store->maySend(501, 'winback')->reason, 'a dry run writes nothing');
            $this->assertSame(0, $this->ownCount($shop, 'SELECT COUNT(*) FROM dsgvo_opt_outs'));

            $first = $store->importOptOuts(['source' => 'mailbeez', 'type_map' => ['birthday' => 'winback']]);
            $this->assertSame(['source' => 'mailbeez', 'entries' => 6, 'imported' => 3, 'already_present' => 0, 'already_objected' => 1,
                'skipped_simulation' => 1, 'skipped_no_customer' => 1, 'by_type' => ['winback' => 2, '*' => 1], 'dry_run' => false], $first);

            $this->assertSame('opted_out', $store->maySend(501, 'winback')->reason, 'winback is a defined type: the objection is to it');
            $this->assertFalse($store->hasConsent(501, 'winback'), 'the objection withdrew the consent');
            $this->assertSame('opted_out_all', $store->maySend(502, 'winback')->reason, 'review_reminder is no type here: all mail');
            $this->assertSame('opted_out', $store->maySend(503, 'winback')->reason, 'type_map birthday => winback');
            $this->assertSame('no_consent', $store->maySend(504, 'winback')->reason, 'a simulated block is no objection');
            // The address objects too: her second account, made later with the same address in other case.
            $shop->addCustomer(' Erika@Example.org', 505);
            $store->grantConsent(505, 'winback');
            $this->assertSame('opted_out', $store->maySend(505, 'winback')->reason, 'the blocked address, on another account');
            $this->assertSame(1, $this->ownCount($shop, 'SELECT COUNT(*) FROM dsgvo_opt_outs WHERE customer_id = 501'));

            // She subscribes again by double opt-in (which lifts her address's objection for the type); a second
            // run must not object in her name once more.
            $store->confirmConsent($store->requestConsent(501, 'winback'));
            $this->assertSame('consent', $store->maySend(501, 'winback')->reason);
            $second = $store->importOptOuts(['source' => 'mailbeez', 'type_map' => ['birthday' => 'winback']]);
            $this->assertSame(0, $second['imported']);
            $this->assertSame(4, $second['already_present'], 'every entry recorded once');
            $this->assertSame('consent', $store->maySend(501, 'winback')->reason, 'a later consent stands');
            $this->assertSame(3, $this->ownCount($shop, 'SELECT COUNT(*) FROM dsgvo_opt_outs'), 'one objection per customer');
        } finally {
            $shop->drop();
        }
    }

    public function testBadCallsAreRefusedAndWriteNothing(): void
    {
        $shop = $this->shop('minimal', 'oscommerce', '');
        try {
            $this->seed($shop);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $refused = [
                [[], InvalidInputException::class, "needs option 'source'"],
                [['source' => 'klaviyo'], InvalidInputException::class, 'unknown source'],
                [['source' => 'mailbeez', 'type_map' => 'winback'], InvalidInputException::class, 'type_map'],
                [['source' => 'mailbeez', 'type_map' => ['winback' => 'no such type!']], InvalidInputException::class, "type_map['winback']"],
                [['source' => 'mailbeez', 'dry_run' => 'yes'], InvalidInputException::class, 'dry_run'],
                [['source' => 'mailbeez', 'since' => '2024'], InvalidInputException::class, 'since'],
            ];
            foreach ($refused as [$options, $class, $message]) {
                try {
                    $store->importOptOuts($options);
                    $this->fail('accepted ' . json_encode($options));
                } catch (\Dsgvo\Exception $e) {
                    $this->assertInstanceOf($class, $e, $e->getMessage());
                    $this->assertStringContainsString($message, $e->getMessage());
                }
            }
            try {
                (new Store(['dsn' => $shop->db->dsn, 'secret' => self::SECRET]))->importOptOuts(['source' => 'mailbeez']);
                $this->fail('accepted without a shop preset');
            } catch (ConfigException $e) {
                $this->assertStringContainsString('dsgvo.shop', $e->getMessage());
            }
            try {
                $shop->store(['secret' => self::SECRET, 'shop_table_prefix' => 'zen_'])->importOptOuts(['source' => 'mailbeez']);
                $this->fail('accepted a shop without MailBeez tables');
            } catch (ConfigException $e) {
                $this->assertStringContainsString('zen_mailbeez_block does not exist', $e->getMessage());
            }
            $this->assertSame(0, $this->ownCount($shop, 'SELECT COUNT(*) FROM dsgvo_opt_outs'));
            $this->assertSame(0, $this->ownCount($shop, 'SELECT COUNT(*) FROM dsgvo_idempotency_keys'));
        } finally {
            $shop->drop();
        }
    }
}
