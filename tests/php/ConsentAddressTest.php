<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/**
 * Consent is bound to the address it was given for. On the project's minimal schema and on real shop
 * schemas (when ../shared is there).
 */
final class ConsentAddressTest extends TestCase
{
    private const SECRET = 'address-secret-0123456789abcdef-0123456789';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public function shops(): array
    {
        $kinds = Shop::kinds();
        $wanted = ['minimal osCommerce-style schema', 'osCommerce 2.3.4.1', 'Zen Cart 2.2.2 with zen_', 'Gambio GX 3.2'];
        return array_intersect_key($kinds, array_flip($wanted));
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        return Shop::create($fixture, $preset, $prefix);
    }

    private function store(Shop $shop, array $options = []): Store
    {
        $store = $shop->store($options + ['secret' => self::SECRET]);
        $store->migrate();
        $store->defineEmailType('newsletter', 'consent');
        $store->defineEmailType('review', 'consent');
        $store->defineEmailType('winback', 'existing_customer');
        return $store;
    }

    private static function changeAddress(Shop $shop, int $id, string $email): void
    {
        $shop->db->pdo->prepare("UPDATE {$shop->table('customers')} SET customers_email_address = ? WHERE customers_id = ?")
            ->execute([$email, $id]);
    }

    /** @return list<array{0: string, 1: string, 2: ?string}> action, purpose and address of each event */
    private static function history(Store $store, int $id): array
    {
        return array_map(function (array $e): array {
            return [$e['action'], $e['purpose'], $e['email']];
        }, $store->consentHistory($id));
    }

    /** @dataProvider shops */
    public function testConsentCountsOnlyForTheAddressItWasGivenFor(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $id = $shop->addCustomer(' Erika@Example.org');
            $grant = $store->grantConsent($id, 'newsletter', ['source' => 'checkout']);
            $this->assertSame('consent', $store->maySend($id, 'newsletter')->reason);
            $early = $store->requestConsent($id, 'review', ['source' => 'newsletter_form']); // mailed to the old address

            self::changeAddress($shop, $id, 'erika.neu@example.org');
            $d = $store->maySend($id, 'newsletter');
            $this->assertFalse($d->allowed);
            $this->assertSame('consent_other_address', $d->reason);
            $this->assertNull($d->basis);
            $this->assertSame($grant, $d->eventId, 'names the grant given for the other address');
            $this->assertFalse($store->hasConsent($id, 'newsletter'));
            $this->assertSame([], $store->filterSendable([$id], 'newsletter'));
            $this->assertFalse($store->isOptedOut($id, 'newsletter'), 'no objection, only no consent');

            // A confirmation carries the address its request was mailed to.
            $store->confirmConsent($early);
            $this->assertSame('consent_other_address', $store->maySend($id, 'review')->reason);
            $this->assertFalse($store->hasConsent($id, 'review'));

            // A new grant for the current address counts again.
            $store->grantConsent($id, 'newsletter', ['source' => 'account']);
            $this->assertSame('consent', $store->maySend($id, 'newsletter')->reason);
            $this->assertTrue($store->hasConsent($id, 'newsletter'));
            // So does a confirmed double opt-in requested for it.
            $store->confirmConsent($store->requestConsent($id, 'review'));
            $this->assertSame('consent', $store->maySend($id, 'review')->reason);
            $this->assertTrue($store->hasConsent($id, 'review'));

            // Consent given for an address named in the proof.
            $store->grantConsent($id, 'newsletter', ['email' => ' Someone.Else@Example.org ']);
            $this->assertSame('consent_other_address', $store->maySend($id, 'newsletter')->reason);
            $this->assertSame([], $store->filterSendable([$id], 'newsletter'));
            $store->revokeConsent($id, 'newsletter');
            $this->assertSame('consent_revoked', $store->maySend($id, 'newsletter')->reason);
            // A consent for another address is no consent for § 7(3) either: the orders decide.
            $store->grantConsent($id, 'winback', ['email' => 'someone.else@example.org']);
            $this->assertSame('no_purchase', $store->maySend($id, 'winback')->reason);

            $this->assertSame([
                ['granted', 'newsletter', 'erika@example.org'],
                ['requested', 'review', 'erika@example.org'],
                ['confirmed', 'review', 'erika@example.org'],
                ['granted', 'newsletter', 'erika.neu@example.org'],
                ['requested', 'review', 'erika.neu@example.org'],
                ['confirmed', 'review', 'erika.neu@example.org'],
                ['granted', 'newsletter', 'someone.else@example.org'],
                ['revoked', 'newsletter', 'erika.neu@example.org'],
                ['granted', 'winback', 'someone.else@example.org'],
            ], self::history($store, $id));
            $this->assertTrue($store->verifyLedger()['ok']);
        } finally {
            $shop->drop();
        }
    }
}
