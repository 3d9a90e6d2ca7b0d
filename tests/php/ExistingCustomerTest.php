<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * § 7 Abs. 3 UWG with all four conditions (DESIGN.md, "Second round") and consent quality, on every shop schema:
 * the shop's own status names in two languages decide which orders are no sale, its category tree which goods are
 * similar; one and the same order must meet every condition.
 */
final class ExistingCustomerTest extends TestCase
{
    private const SECRET = 'e5f35ee4464132af33f4f451725b2e101ef38cb0f10c63b2a78337f4f5a20230';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        return Shop::create($fixture, $preset, $prefix);
    }

    private const DELIVERED = 3;
    private const CANCELLED = 99;
    private const ABORTED = 100;
    private const REFUNDED = 7;
    private const STORNO_LATER = 101;

    /** A customer: id and the address typed everywhere. */
    private static function person(int $id, string $email): array
    {
        return ['id' => $id, 'email' => $email, 'first' => 'Kundin', 'last' => 'Nummer' . $id, 'street' => "Weg $id",
            'postcode' => '10115', 'city' => 'Berlin', 'phone' => '030' . (4000000 + $id), 'ip' => '198.51.100.' . $id];
    }

    /**
     * The shop: statuses named the way shops name them, in English (1) and German (2); the category tree Wein >
     * Rotwein > Bordeaux and Bücher; product 501 a Bordeaux, 502 a book, 503 in Rotwein and Bücher.
     */
    private function seed(ShopRows $rows): void
    {
        $rows->statuses([
            1 => [1 => 'Pending', 2 => 'Offen'],
            self::DELIVERED => [1 => 'Delivered', 2 => 'Versendet'],
            self::REFUNDED => [1 => 'Refunded', 2 => 'Rückerstattet'],
            self::CANCELLED => [1 => 'Cancelled', 2 => 'Storniert'],
            // Only the German name says it: "in any language".
            self::ABORTED => [1 => 'Payment failed', 2 => 'Zahlung abgebrochen'],
        ]);
        $rows->catalog([10 => 0, 11 => 10, 12 => 11, 20 => 0], [501 => [12], 502 => [20], 503 => [11, 20]]);

        $anna = self::person(1, 'anna@example.org');
        $rows->account('1', $anna);
        $rows->order('1', 101, 1, 'anna@example.org', $anna, 30, [501 => 'Château Bordeaux 2019'], '', self::DELIVERED);

        // Only orders that were no sale: cancelled, aborted, refunded.
        $bert = self::person(2, 'bert@example.org');
        $rows->account('2', $bert);
        $rows->order('2', 201, 2, 'bert@example.org', $bert, 20, [501 => 'Château Bordeaux 2019'], '', self::CANCELLED);
        $rows->order('2', 202, 2, 'bert@example.org', $bert, 15, [502 => 'Roman'], '', self::ABORTED);
        $rows->order('2', 203, 2, 'bert@example.org', $bert, 10, [503 => 'Weinbuch'], '', self::REFUNDED);

        // The newest order cancelled; an older book order stands.
        $carla = self::person(3, 'carla@example.org');
        $rows->account('3', $carla);
        $rows->order('3', 301, 3, 'carla@example.org', $carla, 200, [502 => 'Roman'], '', self::DELIVERED);
        $rows->order('3', 302, 3, 'carla@example.org', $carla, 1, [501 => 'Château Bordeaux 2019'], '', self::CANCELLED);

        // A guest order with her address does not make the account an existing customer.
        $dora = self::person(4, 'dora@example.org');
        $rows->account('4', $dora);
        $rows->order('guest', 401, 0, 'dora@example.org', $dora, 5, [501 => 'Château Bordeaux 2019'], '', self::DELIVERED);

        // Ordered with an address the account no longer has.
        $emil = self::person(5, 'emil.neu@example.org');
        $rows->account('5', $emil);
        $rows->order('5', 501, 5, 'emil.alt@example.org', $emil, 40, [501 => 'Château Bordeaux 2019'], '', self::DELIVERED);

        // Too long ago; and a cancelled recent order does not help.
        $frida = self::person(6, 'frida@example.org');
        $rows->account('6', $frida);
        $rows->order('6', 601, 6, 'frida@example.org', $frida, 1000, [501 => 'Château Bordeaux 2019'], '', self::DELIVERED);
        $rows->order('6', 602, 6, 'frida@example.org', $frida, 3, [501 => 'Château Bordeaux 2019'], '', self::CANCELLED);

        // Bought wine (a subcategory of Wein) and, typed differently, the same address.
        $gustav = self::person(7, 'gustav@example.org');
        $rows->account('7', $gustav);
        $rows->order('7', 701, 7, ' Gustav@Example.ORG', $gustav, 12, [503 => 'Weinbuch'], '', self::DELIVERED);
    }

    /** @return array<int, string> customer id => reason */
    private static function reasons(Store $store, string $type): array
    {
        $out = [];
        foreach (range(1, 7) as $id) {
            $out[$id] = $store->maySend($id, $type)->reason;
        }
        return $out;
    }

    /** filterSendable agrees with maySend one by one. */
    private function assertCampaignAgrees(Store $store, string $type, string $label): void
    {
        $allowed = [];
        foreach (range(1, 8) as $id) {
            if ($store->maySend($id, $type)->allowed) {
                $allowed[] = $id;
            }
        }
        $this->assertSame($allowed, $store->filterSendable(range(1, 8), $type), "$label: filterSendable($type)");
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEveryConditionOfSection7Paragraph3(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $rows = new ShopRows($shop);
            $this->seed($rows);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('nonotice', 'existing_customer');
            $store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2000-01-01']);
            $store->defineEmailType('wine', 'existing_customer', ['notice_since' => '2000-01-01', 'similar_categories' => [10]]);
            $store->defineEmailType('books', 'existing_customer', ['notice_since' => '2000-01-01', 'similar_categories' => [20]]);
            $store->defineEmailType('recent', 'existing_customer', ['notice_since' => substr($rows->daysAgo(8), 0, 10)]);
            $store->defineEmailType('everything', 'existing_customer', ['notice_since' => '2000-01-01', 'excluded_order_statuses' => []]);

            $this->assertSame(array_fill(1, 7, 'notice_missing'), self::reasons($store, 'nonotice'), "$fixture: no notice_since");
            $this->assertSame([
                1 => 'existing_customer',
                2 => 'no_purchase',       // cancelled, aborted ("abgebrochen" in German only), refunded
                3 => 'existing_customer', // the older book order stands beside the cancelled one
                4 => 'no_purchase',       // a guest order only
                5 => 'email_changed',
                6 => 'purchase_too_old',  // the recent order was cancelled
                7 => 'existing_customer',
            ], self::reasons($store, 'winback'), "$fixture: winback");
            $this->assertSame([1 => 'existing_customer', 2 => 'no_purchase', 3 => 'no_similar_purchase', 4 => 'no_purchase',
                5 => 'email_changed', 6 => 'purchase_too_old', 7 => 'existing_customer'], self::reasons($store, 'wine'), "$fixture: Wein and its subcategories");
            $this->assertSame([1 => 'no_similar_purchase', 2 => 'no_purchase', 3 => 'existing_customer', 4 => 'no_purchase',
                5 => 'email_changed', 6 => 'purchase_too_old', 7 => 'existing_customer'], self::reasons($store, 'books'), "$fixture: Bücher");
            $this->assertSame([1 => 'notice_missing', 2 => 'no_purchase', 3 => 'notice_missing', 4 => 'no_purchase',
                5 => 'email_changed', 6 => 'purchase_too_old', 7 => 'notice_missing'], self::reasons($store, 'recent'), "$fixture: orders before the notice");
            $this->assertSame('existing_customer', $store->maySend(2, 'everything')->reason, "$fixture: [] excludes nothing");
            foreach (['winback', 'wine', 'books', 'recent', 'everything', 'nonotice'] as $type) {
                $this->assertCampaignAgrees($store, $type, $fixture);
            }

            // A setting replaces the name-based default; a type's own list replaces the setting.
            $only = $shop->store(['secret' => self::SECRET, 'excluded_order_statuses' => [self::CANCELLED]]);
            $this->assertSame('existing_customer', $only->maySend(2, 'winback')->reason, "$fixture: setting");
            $this->assertSame('purchase_too_old', $only->maySend(6, 'winback')->reason, "$fixture: setting, 602 is still excluded");
            $only->defineEmailType('own', 'existing_customer', ['notice_since' => '2000-01-01', 'excluded_order_statuses' => [self::CANCELLED, self::ABORTED, self::REFUNDED]]);
            $this->assertSame('no_purchase', $only->maySend(2, 'own')->reason, "$fixture: the type's list wins over the setting");
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testStatusNamesAreReadAgainWhenTheCatalogChanges(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $rows = new ShopRows($shop);
            $this->seed($rows);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2000-01-01']);
            $this->assertSame('existing_customer', $store->maySend(1, 'winback')->reason);
            // The shop adds a status and cancels Anna's order with it.
            $rows->statuses([self::STORNO_LATER => [1 => 'Customer withdrew', 2 => 'Storno (Kunde)']]);
            $shop->db->pdo->exec("UPDATE {$shop->table('orders')} SET orders_status = " . self::STORNO_LATER . ' WHERE orders_id = 101');
            $this->assertSame('existing_customer', $store->maySend(1, 'winback')->reason, 'the process keeps its copy of the names');
            $store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2000-01-01']);
            $this->assertSame('no_purchase', $store->maySend(1, 'winback')->reason, 'read again with the catalog');
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testConsentQuality(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $rows = new ShopRows($shop);
            $this->seed($rows);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('news', 'consent', ['consent' => 'double_opt_in']);
            $store->defineEmailType('letters', 'consent', ['consent_max_idle_days' => 365]);

            $store->grantConsent(1, 'news', ['source' => 'checkout']);
            $this->assertSame('consent_unconfirmed', $store->maySend(1, 'news')->reason, "$fixture: a direct grant");
            $store->confirmConsent($store->requestConsent(2, 'news', ['source' => 'newsletter_form']));
            $this->assertSame('consent', $store->maySend(2, 'news')->reason, "$fixture: a confirmed double opt-in");
            $store->grantConsent(3, 'news', ['source' => 'import', 'occurred_at' => '2019-05-01T10:00:00Z', 'confirmed_at' => '2019-05-01T10:07:00Z']);
            $this->assertSame('consent', $store->maySend(3, 'news')->reason, "$fixture: an import with its confirmation");
            $store->grantConsent(4, 'news', ['source' => 'import', 'occurred_at' => '2019-05-01T10:00:00Z']);
            $this->assertSame('consent_unconfirmed', $store->maySend(4, 'news')->reason, "$fixture: an import without");
            $this->assertCampaignAgrees($store, 'news', $fixture);

            $store->grantConsent(5, 'letters', ['source' => 'import', 'occurred_at' => '2005-03-01T09:00:00Z']);
            $this->assertSame('consent_stale', $store->maySend(5, 'letters')->reason, "$fixture: unused since 2005");
            $store->grantConsent(6, 'letters', ['source' => 'import', 'occurred_at' => '2005-03-01T09:00:00Z', 'confirmed_at' => '2005-03-02T09:00:00Z']);
            $this->assertSame('consent_stale', $store->maySend(6, 'letters')->reason, "$fixture: confirmed, but in 2005");
            $store->logSend(6, 'letters', ['sent_at' => gmdate('Y-m-d\TH:i:s\Z', time() - 86400 * 30)]);
            $this->assertSame('consent', $store->maySend(6, 'letters')->reason, "$fixture: a send of the type keeps it alive");
            $store->grantConsent(7, 'letters');
            $this->assertSame('consent', $store->maySend(7, 'letters')->reason);
            $this->assertCampaignAgrees($store, 'letters', $fixture);

            try {
                $store->revokeConsent(1, 'news', ['source' => 'import', 'confirmed_at' => '2019-05-01T10:07:00Z']);
                $this->fail('confirmed_at on a revocation');
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString('confirmed_at', $e->getMessage());
            }
            $this->expectException(InvalidInputException::class);
            $store->grantConsent(1, 'news', ['source' => 'checkout', 'confirmed_at' => '2019-05-01T10:07:00Z']);
        } finally {
            $shop->drop();
        }
    }
}
