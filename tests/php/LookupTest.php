<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** What admin pages and the command-line tool look up: shop accounts by id or address, the defined email types. */
final class LookupTest extends TestCase
{
    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testFindsAccountsByIdOrExactAddressOnly(string $fixture, string $preset, string $prefix): void
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $shop = Shop::create($fixture, $preset, $prefix);
        try {
            $store = $shop->store();
            $store->migrate();
            $erika = $shop->addCustomer('Erika.Mustermann@Example.org');
            $shop->addCustomer('erika.musterfrau@example.org');
            $row = ['customer_id' => $erika, 'email' => 'Erika.Mustermann@Example.org', 'firstname' => 'Erika', 'lastname' => 'Mustermann'];
            $this->assertSame([$row], $store->findCustomers((string) $erika));
            $this->assertSame([$row], $store->findCustomers(" erika.mustermann@example.ORG "), 'case and spaces ignored');
            $this->assertSame([], $store->findCustomers('erika.muster@example.org'), 'no partial matches');
            $this->assertSame([], $store->findCustomers('999999'));
            $this->assertSame([], $store->findCustomers('erika%@example.org'), 'no wildcards');
            foreach (['erika', '', '%@%', '0', '-3', 'Mustermann'] as $bad) {
                try {
                    $store->findCustomers($bad);
                    $this->fail("accepted '$bad'");
                } catch (InvalidInputException $e) {
                    $this->assertStringContainsString('id', $e->getMessage());
                }
            }
            $this->expectException(InvalidInputException::class);
            $store->findCustomers((string) $erika, 0);
        } finally {
            $shop->drop();
        }
    }

    public function testFindingNeedsAShop(): void
    {
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessage('dsgvo.shop');
        (new Store(['dsn' => TestDatabase::baseDsn()]))->findCustomers('1');
    }

    public function testListsTheDefinedEmailTypes(): void
    {
        $db = TestDatabase::create('types');
        try {
            $store = new Store(['dsn' => $db->dsn]);
            $store->migrate();
            $this->assertSame([], $store->emailTypes());
            $store->defineEmailType('review.request', 'existing_customer', ['max_age_days' => 365, 'notice_since' => '2024-05-01', 'min_interval_days' => 30, 'excluded_order_statuses' => null, 'similar_categories' => null, 'consent' => 'any', 'consent_max_idle_days' => null, 'advertising_type' => null]);
            $store->defineEmailType('newsletter', 'consent');
            $store->defineEmailType('order.confirmation', 'transactional');
            $store->defineEmailType('birthday', 'existing_customer', ['notice_since' => '2024-05-01 12:30:00']);
            $this->assertSame([
                ['type' => 'birthday', 'basis' => 'existing_customer', 'max_age_days' => null, 'notice_since' => '2024-05-01 12:30:00', 'min_interval_days' => null, 'excluded_order_statuses' => null, 'similar_categories' => null, 'consent' => 'any', 'consent_max_idle_days' => null, 'advertising_type' => null],
                ['type' => 'newsletter', 'basis' => 'consent', 'max_age_days' => null, 'notice_since' => null, 'min_interval_days' => null, 'excluded_order_statuses' => null, 'similar_categories' => null, 'consent' => 'any', 'consent_max_idle_days' => null, 'advertising_type' => null],
                ['type' => 'order.confirmation', 'basis' => 'transactional', 'max_age_days' => null, 'notice_since' => null, 'min_interval_days' => null, 'excluded_order_statuses' => null, 'similar_categories' => null, 'consent' => 'any', 'consent_max_idle_days' => null, 'advertising_type' => null],
                ['type' => 'review.request', 'basis' => 'existing_customer', 'max_age_days' => 365, 'notice_since' => '2024-05-01', 'min_interval_days' => 30, 'excluded_order_statuses' => null, 'similar_categories' => null, 'consent' => 'any', 'consent_max_idle_days' => null, 'advertising_type' => null],
            ], $store->emailTypes());
            $store->defineEmailType('newsletter', 'existing_customer');
            $this->assertSame('existing_customer', $store->emailTypes()[1]['basis'], 'a redefinition replaces');
        } finally {
            $db->drop();
        }
    }
}
