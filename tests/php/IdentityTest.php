<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Decision;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;
use ZipArchive;

/**
 * Whose row is it (DESIGN.md, "Second round"): on every shop schema, export, erasure and search reach only the
 * customer's own rows. A row with a customer id belongs to that customer; a row found by address belongs to C only
 * when its customer id is empty/0/C and the address is not now another account's; addresses are equal only when
 * their normalised forms (trim, Unicode lowercase) are equal byte for byte, whatever the shop column's collation.
 */
final class IdentityTest extends TestCase
{
    private const SECRET = '3f9a1c47d2e85b60a4c9e1f37b2d8a05c6e49f12b7d3a8e0f5c2b9d461a7e3c8';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    /** The shops that keep their administrators in `customers` (customers_status 0). */
    public static function shopsWithAdminsInCustomers(): array
    {
        return array_filter(Shop::kinds(), function (array $kind): bool {
            return in_array($kind[0], ['modified.sql', 'xtcmodified.sql', 'gambio.sql'], true);
        });
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        return Shop::create($fixture, $preset, $prefix);
    }

    private function store(Shop $shop): Store
    {
        $store = $shop->store(['secret' => self::SECRET]);
        $store->migrate();
        return $store;
    }

    // ---------------------------------------------------------------------------------------------------
    // 1. Address reuse: A's old address is B's current address.

    private const ANNA = ['id' => 1, 'email' => 'anna.neu@example.org', 'first' => 'Anna', 'last' => 'Neumann',
        'street' => 'Lindenweg 7', 'postcode' => '20095', 'city' => 'Hamburg', 'phone' => '0401112223', 'ip' => '198.51.100.11'];
    /** Anna as she was when she ordered with her old address. */
    private const ANNA_BEFORE = ['first' => 'Anna', 'last' => 'Neumann', 'street' => 'Alter Markt 3', 'postcode' => '14467',
        'city' => 'Potsdam', 'phone' => '0331445566', 'ip' => '198.51.100.12'];
    private const BERTRAM = ['id' => 2, 'email' => 'old@example.org', 'first' => 'Bertram', 'last' => 'Bauer',
        'company' => 'Bauer Holzbau', 'street' => 'Bahnhofstraße 99', 'postcode' => '16321', 'city' => 'Bernau',
        'phone' => '0301234567', 'ip' => '198.51.100.22'];

    /**
     * Anna (id 1) moved from old@example.org to anna.neu@example.org; her old order still carries the old address.
     * Bertram (id 2) has old@example.org now, his own order, address book entry, review and newsletter entry; the
     * guest order, the shop's sent mail and the coupon mail to old@example.org are his (his current address).
     */
    private function seedAddressReuse(ShopRows $rows): void
    {
        $rows->account('A', self::ANNA);
        $rows->order('A', 1001, 1, 'old@example.org', self::ANNA_BEFORE, 500, [40 => 'Regenschirm Hanse'], 'Bitte an der Tür abstellen');
        $rows->order('A', 1002, 1, 'anna.neu@example.org', self::ANNA, 30, [41 => 'Teekanne Friesland']);
        $rows->review('A', 1, 'Anna N.', 40, 'Hält dicht, schneller Versand.');
        $rows->newsletter('A', 1, 'anna.neu@example.org', 'Anna', 'Neumann');
        $rows->sentMail('A', 'anna.neu@example.org', 'Anna Neumann', 'Ihre Bestellung 1002', 'Danke für Ihre Bestellung, Frau Neumann.');

        $rows->account('B', self::BERTRAM + ['created_days_ago' => 120]);
        $rows->order('B', 2001, 2, 'old@example.org', self::BERTRAM, 10, [31 => 'Wanderstiefel Bergfex'], 'Bitte beim Nachbarn Kowalski abgeben');
        // Placed before he registered, typed in another case with a stray space.
        $rows->order('B', 3001, 0, ' Old@Example.org', self::BERTRAM, 200, [32 => 'Gartenschlauch 25 m'], 'Gastbestellung, Lieferung Hintereingang');
        $rows->review('B', 2, 'Bertram B.', 31, 'Die Stiefel halten auch im Regen dicht, Bertram aus Bernau.');
        $rows->newsletter('B', 2, 'old@example.org', 'Bertram', 'Bauer');
        $rows->sentMail('B', 'old@example.org', 'Bertram Bauer', 'Ihre Bestellung 2001', 'Danke für Ihre Bestellung, Herr Bauer.');
        $rows->couponMail('B', 'old@example.org', 'Bertram', 'Bauer');
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testExportAfterAddressReuseShowsNothingOfTheAddressesNewOwner(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        $dir = sys_get_temp_dir() . '/dsgvo-identity-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $this->seedAddressReuse($rows);
            $bertramOnly = $rows->onlyIn(['B'], ['A']);
            $this->assertContains('Bertram', $bertramOnly, 'test data: the values only in Bertram\'s rows');
            $this->assertContains(' Old@Example.org', $bertramOnly, 'test data: his guest order');
            if ($rows->hasColumn('orders', 'customers_street_address')) {
                $this->assertContains('Bahnhofstraße 99', $bertramOnly, 'test data');
                $this->assertContains('0301234567', $bertramOnly, 'test data');
            }

            $json = $store->export(1);
            $doc = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
            $this->assertSame([], self::leaks($doc, $bertramOnly), "$fixture: values that exist only in Bertram's rows are in Anna's export");
            $this->assertSame([], self::foreignItems($doc, $shop->prefix, $rows->keys('B')), "$fixture: rows of Bertram in Anna's export");

            // Anna's own rows are there, the old order with the reused address too.
            $this->assertSame(1, $doc['subject']['customer_id']);
            $this->assertContains('anna.neu@example.org', $doc['subject']['emails']);
            $this->assertSame([1001, 1002], self::itemKeys($doc, $shop->prefix . 'orders', 'orders_id'), "$fixture: Anna's orders, old address included");
            $this->assertStringContainsString('Neumann', $json);
            if ($rows->hasColumn('orders', 'customers_street_address')) {
                $this->assertStringContainsString('Alter Markt 3', self::text($doc));
                $this->assertSame([1], self::itemKeys($doc, $shop->prefix . 'address_book', 'customers_id'), 'her address book');
            }

            // The package says the same, in every file.
            $manifest = $store->exportTo(1, "$dir/anna.zip");
            $this->assertSame([], $manifest['errors']);
            $zip = new ZipArchive();
            $this->assertTrue($zip->open("$dir/anna.zip", ZipArchive::CHECKCONS));
            $files = [];
            for ($i = 0; $i < $zip->numFiles; $i++) {
                $files[(string) $zip->getNameIndex($i)] = (string) $zip->getFromIndex($i);
            }
            $zip->close();
            $found = [];
            foreach ($files as $name => $content) {
                foreach ($bertramOnly as $value) {
                    if (strpos($content, $value) !== false) {
                        $found[] = "'$value' in $name";
                    }
                }
            }
            $this->assertSame([], $found, "$fixture: values only in Bertram's rows are in Anna's export package");
            $packed = json_decode($files['export.json'], true, 512, JSON_THROW_ON_ERROR);
            $this->assertSame([], self::foreignItems($packed, $shop->prefix, $rows->keys('B')), "$fixture: rows of Bertram in export.json of the package");
            $this->assertSame([1001, 1002], self::itemKeys($packed, $shop->prefix . 'orders', 'orders_id'));
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testErasureAfterAddressReuseLeavesTheAddressesNewOwnerIntact(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $this->seedAddressReuse($rows);
            $store->defineEmailType('review', 'existing_customer', ['notice_since' => '2000-01-01']);
            $store->defineEmailType('newsletter', 'consent');
            $store->grantConsent(2, 'newsletter', ['source' => 'newsletter_form', 'text' => 'Ja, ich möchte den Newsletter.']);
            $review = self::answer($store->maySend(2, 'review'));
            $newsletter = self::answer($store->maySend(2, 'newsletter'));
            $this->assertSame(['allowed' => true, 'reason' => 'existing_customer'], $review, 'precondition: Bertram bought 10 days ago with his address');
            $this->assertSame(['allowed' => true, 'reason' => 'consent'], $newsletter, 'precondition: Bertram subscribed');
            $before = $rows->snapshot('B');
            $this->assertNotEmpty($before['customers.customers_id'], 'test data: Bertram\'s account row');

            $report = $store->erase(1, ['shop_data' => true]);

            $this->assertSame($before, $rows->snapshot('B'), "$fixture: Bertram's rows changed by Anna's erasure");
            $this->assertSame(1, self::rowCount($shop, 'customers', 'customers_id = 2'), 'Bertram\'s account is there');
            $this->assertSame(0, self::rowCount($shop, 'customers', 'customers_id = 1'), 'Anna\'s account is erased');
            $this->assertSame($review, self::answer($store->maySend(2, 'review')), "$fixture: Bertram's § 7(3) answer changed by Anna's erasure");
            $this->assertSame($newsletter, self::answer($store->maySend(2, 'newsletter')), "$fixture: Bertram's address was suppressed by Anna's erasure");

            $this->assertArrayHasKey('skipped_other_owner', $report, 'the report counts rows left because another customer owns them');
            $this->assertGreaterThan(0, $this->skippedTotal($report['skipped_other_owner']), "$fixture: Bertram's account row (found by old@example.org) was left");
            $this->assertSame([], self::leaks($report, $rows->onlyIn(['B'], ['A'])), 'the report names nobody');
        } finally {
            $shop->drop();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // 2. Collation variants: müller@ and muller@ are two addresses; muller@ and "MULLER@ " one, of two accounts.

    private const MARIA = ['id' => 11, 'email' => 'müller@example.org', 'first' => 'Maria', 'last' => 'Müller',
        'street' => 'Ulmenallee 11', 'postcode' => '89073', 'city' => 'Ulm', 'phone' => '0731111111', 'ip' => '198.51.100.111'];
    private const ZACHARIAS = ['id' => 12, 'email' => 'muller@example.org', 'first' => 'Zacharias', 'last' => 'Muller',
        'street' => 'Zedernweg 12', 'postcode' => '08056', 'city' => 'Zwickau', 'phone' => '0375121212', 'ip' => '198.51.100.112'];
    private const XAVER = ['id' => 13, 'email' => 'MULLER@example.org ', 'first' => 'Xaver', 'last' => 'Muller',
        'street' => 'Xantener Straße 13', 'postcode' => '46509', 'city' => 'Xanten', 'phone' => '0280131313', 'ip' => '198.51.100.113'];
    private const YVONNE = ['first' => 'Yvonne', 'last' => 'Muller', 'street' => 'Ypsilonweg 5', 'postcode' => '79215',
        'city' => 'Elzach-Yach', 'phone' => '0768214141', 'ip' => '198.51.100.114'];

    /**
     * Three accounts whose addresses one case- and accent-insensitive collation (utf8_general_ci,
     * utf8mb4_unicode_ci, latin1_german1_ci) takes for one; a guest order of Maria typed in capitals and a mail the
     * shop sent her; a guest
     * order, a newsletter entry, a sent mail and a coupon mail for muller@example.org ("G12": not Maria's).
     */
    private function seedCollationVariants(ShopRows $rows): void
    {
        foreach (['11' => self::MARIA, '12' => self::ZACHARIAS, '13' => self::XAVER] as $owner => $p) {
            $rows->account((string) $owner, $p);
            $rows->order((string) $owner, $p['id'] * 100 + 1, $p['id'], $p['email'], $p, 15, [50 + $p['id'] => 'Kaffeemühle ' . $p['first']], 'Zustellung an ' . $p['first']);
        }
        $rows->order('11', 1102, 0, 'MÜLLER@Example.org', self::MARIA, 60, [70 => 'Milchaufschäumer'], 'Gastbestellung Maria');
        $rows->sentMail('11', 'müller@example.org', 'Maria Müller', 'Ihre Bestellung 1101', 'Danke für Ihre Bestellung, Frau Müller.');
        $rows->review('12', 12, 'Zacharias M.', 62, 'Mahlt fein, Zacharias aus Zwickau.');
        $rows->order('G12', 1401, 0, 'muller@example.org', self::YVONNE, 45, [71 => 'Espressotassen'], 'Gastbestellung Yvonne');
        $rows->newsletter('12', 12, 'muller@example.org', 'Zacharias', 'Muller');
        $rows->sentMail('G12', 'muller@example.org', 'Yvonne Muller', 'Ihre Bestellung 1401', 'Danke für Ihre Bestellung, Frau Muller.');
        $rows->couponMail('G12', 'muller@example.org', 'Yvonne', 'Muller');
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testExportTellsCollationVariantsApart(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $this->seedCollationVariants($rows);
            $others = $rows->onlyIn(['12', '13', 'G12'], ['11']);
            $this->assertContains('Zacharias', $others, 'test data');
            $this->assertContains('MULLER@example.org ', $others, 'test data');

            $maria = json_decode($store->export(11), true, 512, JSON_THROW_ON_ERROR);
            $this->assertSame([], self::leaks($maria, $others), "$fixture: values of muller@ / MULLER@ rows in the export of müller@");
            $this->assertSame([], self::foreignItems($maria, $shop->prefix, $rows->keys('12', '13', 'G12')), "$fixture: rows of accounts 12, 13 or of muller@ in the export of 11");
            $this->assertContains('müller@example.org', $maria['subject']['emails'], "$fixture: Maria's address");
            $this->assertSame([1101, 1102], self::itemKeys($maria, $shop->prefix . 'orders', 'orders_id'), "$fixture: Maria's order and her guest order typed in capitals");

            // muller@ and "MULLER@ " are one address but two accounts: 13's own rows are not 12's.
            $zacharias = json_decode($store->export(12), true, 512, JSON_THROW_ON_ERROR);
            $this->assertSame([], self::leaks($zacharias, $rows->onlyIn(['11', '13'], ['12', 'G12'])), "$fixture: values of 11 or 13 in the export of 12");
            $this->assertSame([], self::foreignItems($zacharias, $shop->prefix, $rows->keys('11', '13')), "$fixture: rows of 11 or 13 in the export of 12");
            $this->assertContains(1201, self::itemKeys($zacharias, $shop->prefix . 'orders', 'orders_id'));
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testErasureTellsCollationVariantsApart(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $this->seedCollationVariants($rows);
            $store->defineEmailType('newsletter', 'consent');
            $store->grantConsent(12, 'newsletter');
            $store->grantConsent(13, 'newsletter');
            foreach ([12, 13] as $id) {
                $this->assertSame(['allowed' => true, 'reason' => 'consent'], self::answer($store->maySend($id, 'newsletter')), "precondition: $id subscribed");
            }
            $before = $rows->snapshot('12', '13', 'G12');
            $this->assertCount(2, $before['customers.customers_id'], 'test data');

            $store->erase(11, ['shop_data' => true]);

            $this->assertSame($before, $rows->snapshot('12', '13', 'G12'), "$fixture: rows of muller@ / MULLER@ changed by the erasure of müller@");
            $this->assertSame(0, self::rowCount($shop, 'customers', 'customers_id = 11'), 'Maria\'s account is erased');
            foreach ([12, 13] as $id) {
                $this->assertSame(['allowed' => true, 'reason' => 'consent'], self::answer($store->maySend($id, 'newsletter')), "$fixture: $id's address was suppressed by the erasure of müller@");
            }
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testFindCustomersComparesNormalisedAddressesByteForByte(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $this->seedCollationVariants($rows);

            $this->assertSame([11], self::ids($store->findCustomers('müller@example.org')), "$fixture: müller@ is one account");
            $this->assertSame([11], self::ids($store->findCustomers(' MÜLLER@Example.org ')), "$fixture: Unicode lowercase, trimmed");
            $this->assertSame([12, 13], self::ids($store->findCustomers('MULLER@example.org')), "$fixture: muller@ and 'MULLER@ ' are one address of two accounts, not müller@");
            $this->assertSame([12, 13], self::ids($store->findCustomers('muller@example.org')), "$fixture: muller@ is not müller@");
            $this->assertSame([], self::ids($store->findCustomers('mueller@example.org')), "$fixture: a German collation's ü = ue does not make it one address");
        } finally {
            $shop->drop();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // 3. An order address must not lead the erasure to an administrator's account.

    /** @dataProvider shopsWithAdminsInCustomers */
    #[DataProvider('shopsWithAdminsInCustomers')]
    public function testAnOrderWithTheAdministratorsAddressDoesNotReachTheAdministrator(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $this->assertTrue($rows->hasColumn('customers', 'customers_status'), "$fixture keeps its administrators in customers");
            $rows->account('admin', ['id' => 1, 'status' => 0, 'email' => 'admin@shop.example', 'first' => 'Shop', 'last' => 'Inhaber',
                'street' => 'Hauptstraße 1', 'postcode' => '50667', 'city' => 'Köln', 'phone' => '0221100100', 'created_days_ago' => 2000]);
            $mallory = ['id' => 2, 'email' => 'mallory@example.net', 'first' => 'Mallory', 'last' => 'Malicious',
                'street' => 'Postfach 666', 'postcode' => '10999', 'city' => 'Berlin', 'phone' => '0306666666', 'ip' => '203.0.113.66'];
            $rows->account('M', $mallory);
            // At checkout she typed the administrator's address.
            $rows->order('M', 5001, 2, 'admin@shop.example', $mallory, 3, [80 => 'Geschenkgutschein']);
            $admin = $rows->snapshot('admin');

            $this->assertAdministratorRefused($store);
            $refused = false;
            try {
                $store->erase(2, ['shop_data' => true]);
            } catch (InvalidInputException $e) {
                $refused = true; // refusing is allowed; touching the administrator is not
            }

            $this->assertSame($admin, $rows->snapshot('admin'), "$fixture: the administrator's rows changed by erasing customer 2");
            if (!$refused) {
                $this->assertSame(0, self::rowCount($shop, 'customers', 'customers_id = 2'), 'Mallory\'s own account is erased');
            }
            $this->assertAdministratorRefused($store);
            $this->assertSame($admin, $rows->snapshot('admin'));
        } finally {
            $shop->drop();
        }
    }

    private function assertAdministratorRefused(Store $store): void
    {
        try {
            $store->erase(1, ['shop_data' => true]);
            $this->fail('the administrator was erased');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString('administrator', $e->getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // 4. Two accounts with one address; an address registered again after erasure.

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testErasingOneOfTwoAccountsWithOneAddressLeavesTheOther(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            // A couple sharing a mailbox, each with an own account.
            $clara = ['id' => 21, 'email' => 'same@example.org', 'first' => 'Clara', 'last' => 'Teilhaber',
                'street' => 'Kastanienallee 21', 'postcode' => '10435', 'city' => 'Berlin', 'phone' => '0302121212', 'ip' => '198.51.100.21'];
            $dieter = ['id' => 22, 'email' => 'same@example.org', 'first' => 'Dieter', 'last' => 'Teilhaber',
                'street' => 'Kastanienallee 21', 'postcode' => '10435', 'city' => 'Berlin', 'phone' => '0302222222', 'ip' => '198.51.100.22'];
            $rows->account('21', $clara);
            $rows->order('21', 2101, 21, 'same@example.org', $clara, 40, [90 => 'Yogamatte']);
            $rows->account('22', $dieter);
            $rows->order('22', 2201, 22, 'same@example.org', $dieter, 8, [91 => 'Akkuschrauber']);
            $rows->review('22', 22, 'Dieter T.', 91, 'Kräftig und leise, Dieter.');
            $rows->newsletter('22', 22, 'same@example.org', 'Dieter', 'Teilhaber');
            $store->defineEmailType('newsletter', 'consent');
            $store->defineEmailType('review', 'existing_customer', ['notice_since' => '2000-01-01']);
            $store->grantConsent(22, 'newsletter', ['source' => 'account']);
            $this->assertSame(['allowed' => true, 'reason' => 'consent'], self::answer($store->maySend(22, 'newsletter')), 'precondition');
            $review = self::answer($store->maySend(22, 'review'));

            $clarasExport = json_decode($store->export(21), true, 512, JSON_THROW_ON_ERROR);
            $this->assertSame([], self::foreignItems($clarasExport, $shop->prefix, $rows->keys('22')), "$fixture: Dieter's rows in Clara's export");
            $this->assertSame([], self::leaks($clarasExport, $rows->onlyIn(['22'], ['21'])), "$fixture: Dieter's values in Clara's export");

            $before = $rows->snapshot('22');
            $store->erase(21, ['shop_data' => true]);

            $this->assertSame($before, $rows->snapshot('22'), "$fixture: Dieter's rows changed by Clara's erasure");
            $this->assertSame(0, self::rowCount($shop, 'customers', 'customers_id = 21'), 'Clara\'s account is erased');
            $this->assertSame(['allowed' => true, 'reason' => 'consent'], self::answer($store->maySend(22, 'newsletter')), "$fixture: Dieter's current address was suppressed by Clara's erasure");
            $this->assertSame($review, self::answer($store->maySend(22, 'review')));
            $store->grantConsent(22, 'newsletter', ['source' => 'account']);
            $this->assertSame(['allowed' => true, 'reason' => 'consent'], self::answer($store->maySend(22, 'newsletter')));
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testAnErasedAddressRegisteredAgainStaysSuppressed(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $rows = new ShopRows($shop);
            $gone = ['id' => 31, 'email' => 'gone@example.org', 'first' => 'Greta', 'last' => 'Gegangen',
                'street' => 'Abschiedsweg 31', 'postcode' => '04109', 'city' => 'Leipzig', 'phone' => '0341313131', 'ip' => '198.51.100.31'];
            $rows->account('31', $gone);
            $rows->order('31', 3101, 31, 'gone@example.org', $gone, 90, [95 => 'Reisekoffer']);
            $rows->newsletter('31', 31, 'gone@example.org', 'Greta', 'Gegangen');
            $store->defineEmailType('newsletter', 'consent');
            $store->grantConsent(31, 'newsletter');

            $report = $store->erase(31, ['shop_data' => true]);
            $this->assertGreaterThanOrEqual(1, $report['suppressed']);
            $this->assertSame(0, self::rowCount($shop, 'customers', 'customers_id = 31'));

            // She registers again, once exactly as before and once typed differently (the same address).
            $rows->account('32', ['id' => 32, 'created_days_ago' => 0] + $gone);
            $rows->account('33', ['id' => 33, 'email' => ' Gone@Example.ORG', 'created_days_ago' => 0] + $gone);
            foreach ([32, 33] as $id) {
                $decision = $store->maySend($id, 'newsletter');
                $this->assertFalse($decision->allowed, "$fixture: account $id of an erased address");
                $this->assertContains($decision->reason, ['suppressed', 'no_consent'], "$fixture: account $id");
                // A direct grant does not lift the suppression (only a confirmed double opt-in would).
                $store->grantConsent($id, 'newsletter', ['source' => 'account']);
                $this->assertSame(['allowed' => false, 'reason' => 'suppressed'], self::answer($store->maySend($id, 'newsletter')), "$fixture: account $id after a direct grant");
            }
        } finally {
            $shop->drop();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Helpers.

    /** @return array{allowed: bool, reason: string} */
    private static function answer(Decision $decision): array
    {
        return ['allowed' => $decision->allowed, 'reason' => $decision->reason];
    }

    private static function rowCount(Shop $shop, string $table, string $where): int
    {
        return (int) $shop->db->pdo->query("SELECT COUNT(*) FROM {$shop->table($table)} WHERE $where")->fetchColumn();
    }

    /** @param list<array{customer_id: int}> $found @return list<int> sorted */
    private static function ids(array $found): array
    {
        $ids = array_column($found, 'customer_id');
        sort($ids);
        return $ids;
    }

    /** @param int|array<string, int> $skipped a total, or table => count */
    private function skippedTotal($skipped): int
    {
        if (is_array($skipped)) {
            foreach ($skipped as $table => $n) {
                $this->assertIsString($table);
                $this->assertIsInt($n);
            }
            return (int) array_sum($skipped);
        }
        $this->assertIsInt($skipped);
        return $skipped;
    }

    /** Every scalar of a decoded document, one per line. */
    private static function text($value): string
    {
        if (is_array($value)) {
            $lines = [];
            foreach ($value as $item) {
                $lines[] = self::text($item);
            }
            return implode("\n", $lines);
        }
        return is_scalar($value) ? (string) $value : '';
    }

    /**
     * Which of $values occur in the document, and where ("value in section table").
     *
     * @param array<string, mixed> $doc
     * @param list<string> $values
     * @return list<string>
     */
    private static function leaks(array $doc, array $values): array
    {
        $parts = [];
        foreach ($doc as $key => $part) {
            if ($key === 'sections' && is_array($part)) {
                foreach ($part as $section) {
                    $parts['section ' . ($section['table'] ?? '?')] = self::text($section['items'] ?? $section);
                }
            } else {
                $parts[(string) $key] = self::text($part);
            }
        }
        $found = [];
        foreach ($values as $value) {
            foreach ($parts as $where => $text) {
                if (strpos($text, $value) !== false) {
                    $found[] = "'$value' in $where";
                }
            }
        }
        return $found;
    }

    /**
     * Items of the export that are rows of other owners: their key column holds one of the owners' keys.
     *
     * @param array<string, mixed> $doc
     * @param array<string, array<string, list<int>>> $keys table (without prefix) => column => values
     * @return list<string>
     */
    private static function foreignItems(array $doc, string $prefix, array $keys): array
    {
        $found = [];
        foreach ($doc['sections'] as $section) {
            $name = (string) $section['table'];
            if ($prefix !== '' && strpos($name, $prefix) === 0) {
                $name = substr($name, strlen($prefix));
            }
            foreach ($keys[$name] ?? [] as $column => $values) {
                foreach ($section['items'] as $item) {
                    if (isset($item[$column]) && is_numeric($item[$column]) && in_array((int) $item[$column], $values, true)) {
                        $found[] = "{$section['table']} $column={$item[$column]}";
                    }
                }
            }
        }
        return array_values(array_unique($found));
    }

    /** @return list<int> sorted values of $column in the items of the section of $table */
    private static function itemKeys(array $doc, string $table, string $column): array
    {
        $out = [];
        foreach ($doc['sections'] as $section) {
            if ($section['table'] === $table) {
                foreach ($section['items'] as $item) {
                    $out[] = (int) $item[$column];
                }
            }
        }
        sort($out);
        return $out;
    }
}
