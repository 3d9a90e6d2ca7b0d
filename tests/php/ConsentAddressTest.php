<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use Dsgvo\TokenException;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Consent is bound to the address it was given for; objections reach the address, withdrawals reach the
 * ledger; a stale double opt-in is refused; a confirmed double opt-in lifts its purpose only. On the
 * project's minimal schema and on real shop schemas (when ../shared is there).
 */
final class ConsentAddressTest extends TestCase
{
    private const SECRET = '38a78b77a8eaae570e1a0dfe87096f1fe824491ee083c54903d2a86b6ad78533';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
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
        $store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2000-01-01']);
        return $store;
    }

    private static function changeAddress(Shop $shop, int $id, string $email): void
    {
        $shop->db->pdo->prepare("UPDATE {$shop->table('customers')} SET customers_email_address = ? WHERE customers_id = ?")
            ->execute([$email, $id]);
    }

    /** @return array<string, string> every own table that a refused call must leave alone, as a checksum */
    private static function own(Shop $shop): array
    {
        $out = [];
        foreach (['consent_events', 'consent_state', 'consent_texts', 'consent_chain_head', 'opt_outs', 'suppressions', 'counters'] as $table) {
            $rows = $shop->db->pdo->query("SELECT * FROM dsgvo_$table")->fetchAll(PDO::FETCH_ASSOC);
            $out[$table] = count($rows) . ' ' . md5(serialize($rows));
        }
        return $out;
    }

    /** @return list<array{0: string, 1: string, 2: ?string}> action, purpose and address of each event */
    private static function history(Store $store, int $id): array
    {
        return array_map(function (array $e): array {
            return [$e['action'], $e['purpose'], $e['email']];
        }, $store->consentHistory($id));
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
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

    public function testBadAddressesAreRefusedAndWriteNothing(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $this->store($shop);
            $id = $shop->addCustomer('bea@example.org');
            $token = $store->requestConsent($id, 'newsletter');
            $before = self::own($shop);
            $calls = [
                'grant, not an address' => function () use ($store, $id) {
                    $store->grantConsent($id, 'newsletter', ['email' => 'not an address']);
                },
                'grant, header injection' => function () use ($store, $id) {
                    $store->grantConsent($id, 'newsletter', ['email' => "bea@example.org\r\nBcc: x@example.org"]);
                },
                'request, not a string' => function () use ($store, $id) {
                    $store->requestConsent($id, 'newsletter', ['email' => 5]);
                },
                'confirm names the address' => function () use ($store, $token) {
                    $store->confirmConsent($token, ['email' => 'bea@example.org']);
                },
                'optOut names an address' => function () use ($store, $id) {
                    $store->optOut($id, 'newsletter', ['email' => 'bea@example.org']);
                },
                'optOutEmail with a proof address' => function () use ($store) {
                    $store->optOutEmail('bea@example.org', '*', ['email' => 'other@example.org']);
                },
            ];
            foreach ($calls as $label => $call) {
                try {
                    $call();
                    $this->fail("accepted: $label");
                } catch (InvalidInputException $e) {
                    $this->assertStringContainsString("'email'", $e->getMessage(), $label);
                }
                $this->assertSame($before, self::own($shop), "$label wrote nothing");
            }
            $this->assertSame('consent_pending', $store->maySend($id, 'newsletter')->reason);
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testUnsubscribeReachesTheAddressAndTheLedger(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $a = $shop->addCustomer('kim@example.org');
            $b = $shop->addCustomer(' KIM@example.org'); // another account with the same address
            $store->grantConsent($a, 'newsletter');
            $store->grantConsent($a, 'deals');            // a type nobody defined needs consent
            $store->grantConsent($a, 'winback');          // basis existing_customer: no revocation
            $store->grantConsent($b, 'newsletter');
            $pending = $store->requestConsent($a, 'newsletter'); // requested before the unsubscribe
            $pendingDeals = $store->requestConsent($a, 'deals');

            $this->assertSame(['customer_id' => $a, 'type' => 'newsletter', 'new' => true], $store->unsubscribe($store->unsubscribeToken($a, 'newsletter')));
            $this->assertSame('opted_out', $store->maySend($a, 'newsletter')->reason);
            $this->assertFalse($store->hasConsent($a, 'newsletter'));
            $last = $store->consentHistory($a)[count($store->consentHistory($a)) - 1];
            $this->assertSame(['revoked', 'newsletter', 'link', 'kim@example.org'], [$last['action'], $last['purpose'], $last['source'], $last['email']]);
            $this->assertSame('opted_out', $store->maySend($b, 'newsletter')->reason, 'the other account with the address');
            $this->assertTrue($store->hasConsent($b, 'newsletter'), "only the objecting customer's consent is withdrawn");
            $later = $shop->addCustomer('kim@example.org ');
            $store->grantConsent($later, 'newsletter');
            $this->assertSame('opted_out', $store->maySend($later, 'newsletter')->reason, 'an account made later with it');
            $this->assertSame('consent', $store->maySend($a, 'deals')->reason, 'other types are untouched');
            $this->assertSame(['customer_id' => $a, 'type' => 'newsletter', 'new' => false], $store->unsubscribe($store->unsubscribeToken($a, 'newsletter')), 'idempotent');

            // The link of the double opt-in requested before is stale: refused, nothing written.
            $before = self::own($shop);
            try {
                $store->confirmConsent($pending);
                $this->fail('a stale double opt-in was confirmed');
            } catch (TokenException $e) {
                $this->assertStringContainsString('no longer valid', $e->getMessage());
            }
            $this->assertSame($before, self::own($shop), 'nothing written');
            $this->assertSame('opted_out', $store->maySend($a, 'newsletter')->reason);

            // All mail: every purpose granted is withdrawn, in the same call.
            $events = count($store->consentHistory($a));
            $this->assertSame('*', $store->unsubscribe($store->unsubscribeToken($a))['type']);
            $this->assertFalse($store->hasConsent($a, 'deals'));
            $this->assertFalse($store->hasConsent($a, 'winback'), 'an objection to all mail withdraws every consent granted');
            $revoked = array_slice(self::history($store, $a), $events);
            $this->assertSame([['revoked', 'deals', 'kim@example.org'], ['revoked', 'winback', 'kim@example.org']], $revoked);
            foreach ([$a, $b, $later] as $id) {
                $this->assertSame('opted_out_all', $store->maySend($id, 'deals')->reason);
                $this->assertSame('opted_out_all', $store->maySend($id, 'review')->reason);
            }
            $before = self::own($shop);
            try {
                $store->confirmConsent($pendingDeals);
                $this->fail('a double opt-in requested before an objection to all mail was confirmed');
            } catch (TokenException $e) {
                $this->assertStringContainsString('no longer valid', $e->getMessage());
            }
            $this->assertSame($before, self::own($shop), 'nothing written');
            $this->assertTrue($store->verifyLedger()['ok']);
        } finally {
            $shop->drop();
        }
    }

    public function testObjectionsOfOtherBasesAndStaleRequests(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $this->store($shop);
            $id = $shop->addCustomer('lena@example.org');
            $store->grantConsent($id, 'winback');
            $this->assertTrue($store->optOut($id, 'winback', ['source' => 'admin', 'actor' => 'admin:jo']));
            $this->assertTrue($store->hasConsent($id, 'winback'), 'an objection to an existing_customer type withdraws no consent');
            $this->assertSame('opted_out', $store->maySend($id, 'winback')->reason);
            $other = $shop->addCustomer('LENA@example.org');
            $this->assertSame('opted_out', $store->maySend($other, 'winback')->reason, 'the address objected');

            // A request is stale after a revocation, an objection by the customer or by the address.
            $stale = [
                'revocation' => function (int $id) use ($store) {
                    $store->revokeConsent($id, 'newsletter');
                },
                'objection to the type' => function (int $id) use ($store) {
                    $store->optOut($id, 'newsletter');
                },
                'objection to all mail' => function (int $id) use ($store) {
                    $store->optOut($id, '*');
                },
                'objection of the address' => function (int $id) use ($store, $shop) {
                    $store->optOutEmail("stale$id@example.org", 'newsletter');
                },
            ];
            foreach ($stale as $label => $after) {
                $customer = $shop->addCustomer('placeholder@example.org');
                self::changeAddress($shop, $customer, "stale$customer@example.org");
                $token = $store->requestConsent($customer, 'newsletter');
                usleep(1000);
                $after($customer);
                $before = self::own($shop);
                try {
                    $store->confirmConsent($token);
                    $this->fail("confirmed after a $label");
                } catch (TokenException $e) {
                    $this->assertStringContainsString('no longer valid', $e->getMessage(), $label);
                }
                $this->assertSame($before, self::own($shop), "$label: nothing written");
                // A request made after it is the address owner's new consent: it counts and lifts.
                $store->confirmConsent($store->requestConsent($customer, 'newsletter'));
                $this->assertSame('consent', $store->maySend($customer, 'newsletter')->reason, $label);
            }
            // An objection by address of another purpose leaves the request valid.
            $token = $store->requestConsent($id, 'newsletter');
            $store->optOutEmail('lena@example.org', 'review');
            $store->confirmConsent($token);
            $this->assertSame('consent', $store->maySend($id, 'newsletter')->reason);
            $this->assertSame('opted_out', $store->maySend($id, 'review')->reason);
            $this->assertTrue($store->verifyLedger()['ok']);
        } finally {
            $shop->drop();
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testDoubleOptInAfterErasureLiftsItsPurposeOnly(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $this->store($shop);
            $anna = $shop->addCustomer('anna@example.org');
            $store->grantConsent($anna, 'newsletter', ['ip' => '192.0.2.1']);
            $this->assertSame(1, $store->erase($anna, ['shop_data' => true])['suppressed']);
            $this->assertTrue($store->verifyLedger()['ok'], 'after the erasure');
            $this->assertSame([['granted', 'newsletter', null]], self::history($store, $anna), 'the address is blanked');

            $again = $shop->addCustomer('Anna@Example.org');
            $store->grantConsent($again, 'newsletter');
            $store->grantConsent($again, 'review');
            $this->assertSame('suppressed', $store->maySend($again, 'newsletter')->reason, 'a direct grant lifts nothing');
            $store->confirmConsent($store->requestConsent($again, 'newsletter', ['source' => 'newsletter_form']));
            $d = $store->maySend($again, 'newsletter');
            $this->assertTrue($d->allowed);
            $this->assertSame('consent', $d->reason);
            $this->assertSame('suppressed', $store->maySend($again, 'review')->reason, 'its purpose only');
            $this->assertSame([$again], $store->filterSendable([$again], 'newsletter'));
            $this->assertSame([], $store->filterSendable([$again], 'review'));
            $this->assertTrue($store->isOptedOut($again, 'review'));

            // An objection ends the lift; so does the next erasure.
            $store->optOut($again, 'newsletter');
            $this->assertSame('suppressed', $store->maySend($again, 'newsletter')->reason);
            $store->confirmConsent($store->requestConsent($again, 'newsletter'));
            $this->assertSame('consent', $store->maySend($again, 'newsletter')->reason);
            $store->erase($again, ['shop_data' => true]);
            $third = $shop->addCustomer('anna@example.org');
            $store->grantConsent($third, 'newsletter');
            $this->assertSame('suppressed', $store->maySend($third, 'newsletter')->reason, 'the erasure ended the lift');
            $rows = (int) $shop->db->pdo->query("SELECT COUNT(*) FROM dsgvo_consent_events WHERE customer_id IN ($anna, $again) AND email IS NOT NULL")->fetchColumn();
            $this->assertSame(0, $rows, 'erasure blanks every address in the ledger');
            $this->assertTrue($store->verifyLedger()['ok'], 'after the second erasure');
        } finally {
            $shop->drop();
        }
    }

    public function testWithoutShopPresetTheProofAddressIsRecordedAndRetentionBlanksIt(): void
    {
        $db = TestDatabase::create('address');
        try {
            $store = new Store(['dsn' => $db->dsn, 'secret' => self::SECRET, 'retention_pending_consent_days' => 1, 'consent_token_ttl_days' => 1]);
            $store->migrate();
            $store->grantConsent(5, 'newsletter', ['email' => 'Paul@Example.org']);
            $this->assertTrue($store->hasConsent(5, 'newsletter'), 'no account address to compare with');
            $this->assertSame('consent', $store->maySend(5, 'newsletter')->reason);
            $store->optOut(5, 'newsletter');
            $this->assertSame(0, (int) $db->pdo->query('SELECT COUNT(*) FROM dsgvo_suppressions')->fetchColumn(), 'no account address: no address entry');
            $this->assertSame([['granted', 'newsletter', 'paul@example.org'], ['revoked', 'newsletter', null]], self::history($store, 5));

            $store->requestConsent(6, 'newsletter', ['source' => 'import', 'occurred_at' => gmdate('Y-m-d\TH:i:s\Z', time() - 30 * 86400), 'email' => 'old@example.org']);
            $this->assertSame(1, $store->purgeExpired()['dsgvo_consent_events']);
            $this->assertSame([['requested', 'newsletter', null]], self::history($store, 6), 'retention blanks the address');
            $this->assertTrue($store->verifyLedger()['ok']);
        } finally {
            $db->drop();
        }
    }
}
