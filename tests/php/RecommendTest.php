<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/** "Customers also bought", k-anonymous: pairs of fewer than k customers never appear. */
final class RecommendTest extends TestCase
{
    private const SECRET = '1b36b8dc628e7306a5815274d6e387699f1eb0a5178b157fddf2550fdd0047b7';

    private function shop(): Shop
    {
        // A real shop schema when ../shared is there (osCommerce 2.3), the project's minimal one otherwise.
        return ShopSchemas::directory() !== null
            ? Shop::create('oscommerce2.sql', 'oscommerce', '')
            : Shop::create('minimal', 'oscommerce', '');
    }

    public function testOnlyPairsOfAtLeastKCustomersAppear(): void
    {
        $shop = $this->shop();
        try {
            $store = $shop->store(['secret' => self::SECRET, 'recommend_min_customers' => 3]);
            $store->migrate();
            $ids = [];
            for ($i = 1; $i <= 6; $i++) {
                $ids[$i] = $shop->addCustomer("buyer$i@example.org");
            }
            foreach ([1, 2, 3] as $i) {
                $shop->addOrderWith($ids[$i], "buyer$i@example.org", [10, 20, 10]);
            }
            $shop->addOrderWith($ids[1], 'buyer1@example.org', [20]); // a second order: still one customer
            foreach ([4, 5] as $i) {
                $shop->addOrderWith($ids[$i], "buyer$i@example.org", [30, 40]); // k - 1 customers
            }
            foreach (['g1@example.org', 'G2@example.org', 'g3@example.org', ' g1@EXAMPLE.org'] as $guest) {
                $shop->addOrderWith(0, $guest, [50, 60]); // three distinct guests, one of them twice
            }
            $shop->addOrderWith($ids[6], 'buyer6@example.org', [10]);

            $preview = $store->refreshRecommendations(['dry_run' => true]);
            $this->assertTrue($preview['dry_run']);
            $this->assertSame([], $store->alsoBought(10), 'a dry run publishes nothing');

            $result = $store->refreshRecommendations();
            $this->assertSame(['orders_read', 'lines_read', 'customers', 'customers_left_out', 'pairs_kept', 'pairs_dropped',
                'min_customers', 'seconds', 'dry_run'], array_keys($result));
            $this->assertSame(2, $result['pairs_kept'], '(10,20) and (50,60)');
            $this->assertSame(1, $result['pairs_dropped'], '(30,40): only k-1 customers');
            $this->assertSame(9, $result['customers'], 'six accounts and three guests');
            $this->assertSame(11, $result['orders_read'], 'four orders of customers 1-3, two of 4-5, four of guests, one of 6');
            $this->assertSame(3, $result['min_customers']);
            $this->assertSame($preview['pairs_kept'], $result['pairs_kept']);

            $this->assertSame([['product_id' => 20, 'customers' => 3]], $store->alsoBought(10));
            $this->assertSame([['product_id' => 10, 'customers' => 3]], $store->alsoBought(20));
            $this->assertSame([['product_id' => 60, 'customers' => 3]], $store->alsoBought(50));
            $this->assertSame([], $store->alsoBought(30), 'a pair of two customers is never published');
            $this->assertSame([['product_id' => 20, 'score' => 3]], $store->recommendFor($ids[6]), 'customer 6 bought 10');
            $this->assertSame([], $store->recommendFor($ids[1]), 'nothing the customer already bought');

            // An objection to personalisation: recommendations stop and the customer no longer counts.
            $store->optOut($ids[6], 'personalisation');
            $this->assertSame([], $store->recommendFor($ids[6]));
            $store->optOut($ids[2], 'personalisation');
            $this->assertSame(2, $store->refreshRecommendations()['customers_left_out'], 'customers 2 and 6 objected');
            $this->assertSame([], $store->alsoBought(10), '(10,20) now has only two counting customers');
            // The objection reached the account's address too: a direct grant no longer lifts it, a confirmed
            // double opt-in for the address does.
            $store->grantConsent($ids[2], 'personalisation');
            $store->refreshRecommendations();
            $this->assertSame([], $store->alsoBought(10), 'a direct grant does not lift the address\'s objection');
            $store->confirmConsent($store->requestConsent($ids[2], 'personalisation'));
            $store->refreshRecommendations();
            $this->assertSame([['product_id' => 20, 'customers' => 3]], $store->alsoBought(10), 'a newer consent lifts the objection');

            // An erased customer's orders no longer count after the next refresh.
            $report = $store->erase($ids[3], ['shop_data' => true]);
            $this->assertContains('orders', array_column($report['retained'], 'table'), 'the orders themselves are kept');
            $this->assertSame([['product_id' => 20, 'customers' => 3]], $store->alsoBought(10), 'until the refresh');
            $after = $store->refreshRecommendations();
            $this->assertSame(2, $after['customers_left_out'], 'customer 6 objected, customer 3 was erased');
            $this->assertSame([], $store->alsoBought(10));
            $this->assertSame([['product_id' => 60, 'customers' => 3]], $store->alsoBought(50));
        } finally {
            $shop->drop();
        }
    }

    public function testReadersNeverSeeAHalfBuiltTable(): void
    {
        $shop = $this->shop();
        $stop = sys_get_temp_dir() . '/dsgvo-recommend-stop-' . getmypid() . '-' . mt_rand();
        try {
            $store = $shop->store(['recommend_min_customers' => 2]);
            $store->migrate();
            // Two customers bought products 1..101: 5,050 pairs, 10,100 rows, many insert batches.
            foreach ([1, 2] as $i) {
                $shop->addOrderWith($shop->addCustomer("both$i@example.org"), "both$i@example.org", range(1, 101));
            }
            $this->assertSame(5050, $store->refreshRecommendations()['pairs_kept']);
            [$proc, $pipes] = Php::start(__DIR__ . '/scripts/recommend_reader.php', [$shop->db->dsn, $stop]);
            usleep(200000);
            for ($i = 0; $i < 5; $i++) {
                $this->assertSame(5050, $store->refreshRecommendations()['pairs_kept']);
            }
            touch($stop);
            $result = Php::finish($proc, $pipes, 90);
            $this->assertSame(0, $result['exit'], $result['stderr']);
            $this->assertSame('', $result['stderr']);
            $report = json_decode($result['stdout'], true, 4, JSON_THROW_ON_ERROR);
            $this->assertGreaterThan(0, $report['reads']);
            $this->assertSame([100 => $report['reads']], $report['counts'], 'every read saw the full set of pairs');
        } finally {
            @unlink($stop);
            $shop->drop();
        }
    }

    public function testSinceAndLimits(): void
    {
        $shop = $this->shop();
        try {
            $store = $shop->store(['recommend_min_customers' => 2]);
            $store->migrate();
            foreach ([1, 2] as $i) {
                $id = $shop->addCustomer("old$i@example.org");
                $shop->addOrderWith($id, "old$i@example.org", [1, 2], 400);
            }
            foreach ([3, 4] as $i) {
                $id = $shop->addCustomer("new$i@example.org");
                $shop->addOrderWith($id, "new$i@example.org", [1, 3, 4, 5, 6, 7, 8], 10);
            }
            $this->assertSame(1 + 21, $store->refreshRecommendations()['pairs_kept']);
            $since = $store->refreshRecommendations(['since' => date('Y-m-d', time() - 100 * 86400)]);
            $this->assertSame(21, $since['pairs_kept'], 'only the recent orders');
            $this->assertCount(5, $store->alsoBought(3));
            $this->assertCount(2, $store->alsoBought(3, 2));
            foreach ([[0, 5], [-1, 5], [3, 0], [3, 101]] as [$product, $limit]) {
                try {
                    $store->alsoBought($product, $limit);
                    $this->fail("accepted $product/$limit");
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
            foreach ([['since' => 'yesterday'], ['dry_run' => 'no'], ['k' => 3], ['timeout_ms' => 10]] as $bad) {
                try {
                    $store->refreshRecommendations($bad);
                    $this->fail('accepted ' . json_encode($bad));
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
        } finally {
            $shop->drop();
        }
    }

    public function testNeedsAShopAndAMeaningfulK(): void
    {
        $store = new Store(['dsn' => TestDatabase::baseDsn()]);
        try {
            $store->refreshRecommendations();
            $this->fail('expected Dsgvo\ConfigException');
        } catch (ConfigException $e) {
            $this->assertStringContainsString('dsgvo.shop', $e->getMessage());
        }
        $this->expectException(ConfigException::class);
        new Store(['dsn' => TestDatabase::baseDsn(), 'recommend_min_customers' => 1]);
    }
}
