<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * importConsents() on every shop schema: the newsletter flag and the double opt-in list become ledger events
 * (source import) with the shop's dates, once; a second run adds nothing.
 */
final class ImportConsentsTest extends TestCase
{
    private const SECRET = '46a73597a199a34bd67a9e17e362cd8256f171e96785755cf498d0fb8930f105';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    private static function columns(Shop $shop, string $table): array
    {
        $stmt = $shop->db->pdo->prepare('SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?');
        $stmt->execute([$shop->prefix . $table]);
        return $stmt->fetchAll(PDO::FETCH_COLUMN);
    }

    private static function subscribe(Shop $shop, int $id, ?string $flag, ?string $created): void
    {
        $shop->db->pdo->prepare("UPDATE {$shop->table('customers')} SET customers_newsletter = ? WHERE customers_id = ?")->execute([$flag, $id]);
        if ($created !== null && self::columns($shop, 'customers_info') !== []) {
            $shop->db->pdo->prepare("INSERT INTO {$shop->table('customers_info')} (customers_info_id, customers_info_date_account_created) VALUES (?, ?)")
                ->execute([$id, $created]);
        }
    }

    /** A list entry; the ip_* and date_confirmed values only where the schema has them (modified 3.x). */
    private static function listEntry(Shop $shop, int $customerId, string $email, int $status, string $added, ?string $confirmed = null): void
    {
        $row = ['customers_email_address' => $email, 'customers_id' => $customerId, 'mail_status' => $status, 'date_added' => $added];
        $columns = self::columns($shop, 'newsletter_recipients');
        if (in_array('date_confirmed', $columns, true)) {
            $row += ['ip_date_added' => '198.51.100.7', 'date_confirmed' => $confirmed ?? '0000-00-00 00:00:00', 'ip_date_confirmed' => $confirmed ? '198.51.100.8' : null];
        }
        $names = implode(', ', array_keys($row));
        $marks = implode(', ', array_fill(0, count($row), '?'));
        $shop->db->pdo->prepare("INSERT INTO {$shop->table('newsletter_recipients')} ($names) VALUES ($marks)")->execute(array_values($row));
    }

    /** @return array<int, list<array{action: string, source: string, occurred_at: string, ip: ?string}>> customer => events */
    private static function ledger(Shop $shop): array
    {
        $out = [];
        foreach ($shop->db->pdo->query("SELECT id, customer_id, action, source, occurred_at, ip, request_id, text_version FROM dsgvo_consent_events WHERE purpose = 'newsletter' ORDER BY id")->fetchAll(PDO::FETCH_ASSOC) as $e) {
            $out[(int) $e['customer_id']][] = $e;
        }
        return $out;
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEverySubscriberOnceWithTheShopsDates(string $fixture, string $preset, string $prefix): void
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $shop = Shop::create($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $flagged = $shop->addCustomer('flag@example.org');
            $undated = $shop->addCustomer('undated@example.org');
            $off = $shop->addCustomer('off@example.org');
            $never = $shop->addCustomer('never@example.org');
            $live = $shop->addCustomer('live@example.org');
            self::subscribe($shop, $flagged, '1', '2019-03-01 10:00:00');
            self::subscribe($shop, $undated, '1', null);
            self::subscribe($shop, $off, '0', '2019-03-01 10:00:00');
            self::subscribe($shop, $never, null, null);
            self::subscribe($shop, $live, '1', '2018-01-01 00:00:00');
            $store->grantConsent($live, 'newsletter', ['source' => 'checkout']); // the ledger already knows this one

            $expected = [$flagged => ['granted'], $undated => ['granted']];
            $hasList = self::columns($shop, 'newsletter_recipients') !== [];
            $doi = in_array('date_confirmed', self::columns($shop, 'newsletter_recipients'), true);
            if ($hasList) {
                $confirmed = $shop->addCustomer('doi@example.org');
                $pending = $shop->addCustomer('pending@example.org');
                $guestAccount = $shop->addCustomer('Guest.Later@example.org');
                self::listEntry($shop, $confirmed, 'doi@example.org', 1, '2020-01-01 09:00:00', '2020-01-01 09:05:00');
                self::listEntry($shop, $pending, 'pending@example.org', 0, '2020-02-01 09:00:00');
                self::listEntry($shop, 0, 'guest.later@example.org', 1, '2020-03-01 09:00:00', '2020-03-01 09:30:00'); // signed up before the account
                self::listEntry($shop, 0, 'nobody@example.org', 1, '2020-04-01 09:00:00', '2020-04-01 09:30:00');
                $expected[$confirmed] = $doi ? ['requested', 'confirmed'] : ['granted'];
                $expected[$guestAccount] = $doi ? ['requested', 'confirmed'] : ['granted'];
            }

            $preview = $store->importConsents(['dry_run' => true]);
            $this->assertSame([], array_diff_key(self::ledger($shop), [$live => 1]), 'a dry run writes nothing');
            $result = $store->importConsents();
            $this->assertSame(['purpose', 'subscribed', 'granted', 'confirmed', 'already_in_ledger', 'without_account', 'not_confirmed', 'undated', 'seconds', 'dry_run'], array_keys($result));
            $counts = array_diff_key($result, ['seconds' => 1, 'dry_run' => 1]);
            $this->assertSame(array_diff_key($preview, ['seconds' => 1, 'dry_run' => 1]), $counts, 'the dry run predicted the run');
            $this->assertSame([
                'purpose' => 'newsletter',
                'subscribed' => count($expected) + 1,
                'granted' => count(array_filter($expected, fn ($a) => $a === ['granted'])),
                'confirmed' => count(array_filter($expected, fn ($a) => $a !== ['granted'])),
                'already_in_ledger' => 1,
                'without_account' => $hasList ? 1 : 0,
                'not_confirmed' => $hasList ? 1 : 0,
                'undated' => 1,
            ], $counts);

            $ledger = self::ledger($shop);
            $this->assertSame(['granted'], array_column($ledger[$live], 'action'), 'a customer the ledger knows is left alone');
            unset($ledger[$live]);
            ksort($ledger);
            ksort($expected);
            $this->assertSame($expected, array_map(fn ($events) => array_column($events, 'action'), $ledger));
            foreach ($ledger as $events) {
                $this->assertSame(['import'], array_values(array_unique(array_column($events, 'source'))));
            }
            $this->assertSame('2019-03-01 10:00:00.000000', $ledger[$flagged][0]['occurred_at'], 'the account creation date');
            $this->assertSame('import: customers.customers_newsletter', $ledger[$flagged][0]['text_version']);
            if ($hasList) {
                $doiEvents = $ledger[$confirmed];
                if ($doi) {
                    $this->assertSame(['2020-01-01 09:00:00.000000', '2020-01-01 09:05:00.000000'], array_column($doiEvents, 'occurred_at'));
                    $this->assertSame(['198.51.100.7', '198.51.100.8'], array_column($doiEvents, 'ip'));
                    $this->assertSame($doiEvents[0]['id'], $doiEvents[1]['request_id'], 'the confirmation confirms the imported request');
                } else {
                    $this->assertSame('2020-01-01 09:00:00.000000', $doiEvents[0]['occurred_at'], 'the list date');
                }
                $this->assertArrayNotHasKey($pending, $ledger, 'an unconfirmed double opt-in is no consent');
                $this->assertTrue($store->hasConsent($confirmed, 'newsletter'));
                $this->assertFalse($store->hasConsent($pending, 'newsletter'));
            }
            $this->assertTrue($store->hasConsent($flagged, 'newsletter'));
            $this->assertFalse($store->hasConsent($off, 'newsletter'));
            $this->assertFalse($store->hasConsent($never, 'newsletter'));
            $this->assertTrue($store->verifyLedger()['ok']);

            // A revocation after the import stays: the shop's flag is still '1', the ledger decides.
            $store->revokeConsent($flagged, 'newsletter');
            $again = $store->importConsents();
            $this->assertSame([0, 0, count($expected) + 1], [$again['granted'], $again['confirmed'], $again['already_in_ledger']]);
            $this->assertFalse($store->hasConsent($flagged, 'newsletter'));
            $this->assertTrue($store->verifyLedger()['ok']);
        } finally {
            $shop->drop();
        }
    }

    public function testOptionsAndWording(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store();
            $store->migrate();
            $id = $shop->addCustomer('birthday@example.org');
            self::subscribe($shop, $id, '1', '2021-06-01 12:00:00');
            $result = $store->importConsents(['purpose' => 'birthday', 'text' => 'Ja, ich möchte Geburtstagsgrüße.', 'text_version' => 'v2019']);
            $this->assertSame(['birthday', 1], [$result['purpose'], $result['granted']]);
            $history = $store->consentHistory($id);
            $this->assertSame('v2019', $history[0]['text_version']);
            $this->assertSame('Ja, ich möchte Geburtstagsgrüße.', $history[0]['text']);
            foreach ([['purpose' => 'News Letter'], ['dry_run' => 'yes'], ['text_version' => str_repeat('v', 65)], ['source' => 'admin'], ['purpose' => 5]] as $bad) {
                try {
                    $store->importConsents($bad);
                    $this->fail('accepted ' . json_encode($bad));
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
            $this->assertCount(1, $store->consentHistory($id), 'refused options write nothing');
            $this->expectException(ConfigException::class);
            (new Store(['dsn' => $shop->db->dsn]))->importConsents();
        } finally {
            $shop->drop();
        }
    }
}
