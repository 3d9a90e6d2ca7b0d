<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use PHPUnit\Framework\TestCase;

/**
 * Restriction of processing (Art. 18 GDPR): while restricted, every non-transactional decision answers
 * 'restricted', tags and recommendations stop; the export still works and shows the history.
 */
final class RestrictionTest extends TestCase
{
    private const SECRET = '0d1f5ad3a77e2c1b0c9a4a0f5b3e8d2c6a7b9e1f0c2d4e6f8a0b2c4d6e8f0a1b';

    private function rows(Shop $shop, string $table, int $customer): int
    {
        $stmt = $shop->db->pdo->prepare("SELECT COUNT(*) FROM dsgvo_$table WHERE customer_id = ?");
        $stmt->execute([$customer]);
        return (int) $stmt->fetchColumn();
    }

    public function testRestrictionStopsMarketingTagsAndRecommendationsUntilLifted(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET, 'recommend_min_customers' => 2]);
            $store->migrate();
            $store->defineEmailType('newsletter', 'consent');
            $store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2020-01-01']);
            $store->defineEmailType('invoice', 'transactional');
            $erika = $shop->addCustomer('erika@example.org');
            $max = $shop->addCustomer('max@example.org');
            $other = $shop->addCustomer('other@example.org');
            foreach ([$erika, $max, $other] as $id) {
                $store->grantConsent($id, 'newsletter');
                $shop->addOrderWith($id, $id === $erika ? 'erika@example.org' : ($id === $max ? 'max@example.org' : 'other@example.org'), [10, 20], 3);
            }
            $this->assertTrue($store->tag($erika, 'vip'));
            $this->assertSame('consent', $store->maySend($erika, 'newsletter')->reason);
            $this->assertSame('existing_customer', $store->maySend($erika, 'winback')->reason);
            $this->assertSame(3, $store->refreshRecommendations()['customers']);
            $this->assertSame([], $store->recommendFor($erika), 'she bought both already');

            $first = $store->restrict($erika, ['source' => 'admin', 'actor' => 'dpo']);
            $this->assertGreaterThan(0, $first);
            $this->assertTrue($store->isRestricted($erika));
            $this->assertFalse($store->isRestricted($max));
            $this->assertSame($first, $store->restrict($erika), 'restricting again answers the restriction in force');
            $this->assertSame(1, $this->rows($shop, 'restrictions', $erika), 'and writes nothing');

            foreach (['newsletter', 'winback', 'undefined.type'] as $type) {
                $d = $store->maySend($erika, $type);
                $this->assertSame([false, 'restricted', false, false], [$d->allowed, $d->reason, $d->mayAdvertise, $d->noticeRequired], $type);
            }
            $this->assertTrue($store->maySend($erika, 'invoice')->allowed, 'transactional mail is still sent');
            $this->assertSame([$max, $other], $store->filterSendable([$erika, $max, $other], 'newsletter'));
            $this->assertFalse($store->isOptedOut($erika, 'newsletter'), 'a restriction is no objection');
            $this->assertTrue($store->hasConsent($erika, 'newsletter'), 'nor a withdrawal');
            $this->assertSame('unknown_customer', $store->maySend(999999, 'newsletter')->reason);
            $store->restrict(999999);
            $this->assertSame('unknown_customer', $store->maySend(999999, 'newsletter')->reason, 'unknown_customer ranks first');
            $store->optOut($max, '*');
            $store->restrict($max);
            $this->assertSame('restricted', $store->maySend($max, 'newsletter')->reason, 'restricted outranks an objection');
            $store->unrestrict($max);
            $this->assertSame('opted_out_all', $store->maySend($max, 'newsletter')->reason);

            $tags = $this->rows($shop, 'tags', $erika);
            $this->assertFalse($store->tag($erika, 'newcomer'), 'tag() refuses while restricted');
            $this->assertSame($tags, $this->rows($shop, 'tags', $erika), 'and writes nothing');
            $this->assertSame(['vip'], array_column($store->tags($erika), 'name'), 'tags already set are kept, not processed');
            $this->assertSame(2, $store->refreshRecommendations()['customers_left_out'], 'max objected to all mail; erika is restricted');
            $this->assertSame([], $store->recommendFor($erika));

            $doc = json_decode($store->export($erika), true, 64, JSON_THROW_ON_ERROR);
            $sections = array_column($doc['sections'], null, 'id');
            $this->assertSame(['restrict'], array_column($sections['dsgvo.restrictions']['items'], 'action'), 'the export shows the restriction');

            $lifted = $store->unrestrict($erika, ['source' => 'admin']);
            $this->assertGreaterThan($first, $lifted);
            $this->assertFalse($store->isRestricted($erika));
            $this->assertSame('consent', $store->maySend($erika, 'newsletter')->reason);
            $this->assertTrue($store->tag($erika, 'newcomer'));
            $history = $store->restrictions($erika);
            $this->assertSame(['restrict', 'unrestrict'], array_column($history, 'action'));
            $this->assertSame(['admin', 'admin'], array_column($history, 'source'));
            $this->assertSame(['dpo', null], array_column($history, 'actor'));
            $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/', $history[0]['created_at']);
            $doc = json_decode($store->export($erika), true, 64, JSON_THROW_ON_ERROR);
            $sections = array_column($doc['sections'], null, 'id');
            $this->assertSame(['restrict', 'unrestrict'], array_column($sections['dsgvo.restrictions']['items'], 'action'));

            // Refused, with nothing written.
            $rows = $this->rows($shop, 'restrictions', $erika);
            foreach ([
                fn () => $store->unrestrict($erika),
                fn () => $store->unrestrict($other),
                fn () => $store->restrict($erika, ['text' => 'Ich widerspreche']),
                fn () => $store->restrict($erika, ['email' => 'erika@example.org']),
                fn () => $store->restrict($erika, ['bogus' => 1]),
                fn () => $store->restrict($erika, ['ip' => 'not-an-ip']),
                fn () => $store->restrict(-1),
                fn () => $store->restrict(0),
            ] as $i => $call) {
                try {
                    $call();
                    $this->fail("call $i should be refused");
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
            $this->assertSame($rows, $this->rows($shop, 'restrictions', $erika));
            $this->assertSame(0, $this->rows($shop, 'restrictions', $other));

            // Erasure removes the restriction history with the customer's other own records.
            $store->erase($erika);
            $this->assertSame(0, $this->rows($shop, 'restrictions', $erika));
        } finally {
            $shop->drop();
        }
    }
}
