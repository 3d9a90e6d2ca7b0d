<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\InvalidInputException;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Rule-based tagging on real shop schemas (osCommerce 2.3.4.1, Zen Cart 2.2.2 with zen_ prefix) when ../shared is
 * there, and on the project's minimal schema always: each condition kind tags exactly the customers a hand-written
 * SQL query selects (less those who object, are restricted or erased); a second run changes nothing; a customer who
 * stops matching loses the rule's tag but keeps a hand-set tag of the same name; objecting, restricted and erased
 * customers are never tagged and lose rule tags on the next run.
 */
final class TagRulesTest extends TestCase
{
    private const SECRET = '5e0c8b3a1f2d4e6a8c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c';

    /** rule => [tag, conditions, hand-written condition over customers `c` ({sale}: a counted order `o` of c)] */
    private const RULES = [
        'frequent' => ['loyal', ['min_orders' => 2], '(SELECT COUNT(*) FROM {orders} o WHERE {sale}) >= 2'],
        'big.spender' => ['big', ['min_spent' => '150.00'], '(SELECT COALESCE(SUM(t.value), 0) FROM {orders} o JOIN {orders_total} t ON t.orders_id = o.orders_id AND t.class = \'ot_total\' WHERE {sale}) >= 150'],
        'garden' => ['garden', ['bought_categories' => [3]], 'EXISTS(SELECT 1 FROM {orders} o JOIN {orders_products} op ON op.orders_id = o.orders_id JOIN {products_to_categories} pc ON pc.products_id = op.products_id WHERE {sale} AND pc.categories_id IN (3, 5))'],
        'recent' => ['recent', ['ordered_within_days' => 60], 'EXISTS(SELECT 1 FROM {orders} o WHERE {sale} AND o.date_purchased >= NOW() - INTERVAL 60 DAY)'],
        'lapsed' => ['winback', ['no_order_for_days' => 120], 'EXISTS(SELECT 1 FROM {orders} o WHERE {sale}) AND NOT EXISTS(SELECT 1 FROM {orders} o WHERE {sale} AND o.date_purchased >= NOW() - INTERVAL 120 DAY)'],
        'old.account' => ['veteran', ['account_age_days' => 365], 'EXISTS(SELECT 1 FROM {customers_info} ci WHERE ci.customers_info_id = c.customers_id AND ci.customers_info_date_account_created <= NOW() - INTERVAL 365 DAY)'],
        'fan' => ['fan', ['min_rating' => 4], 'EXISTS(SELECT 1 FROM dsgvo_email_ratings r WHERE r.customer_id = c.customers_id AND r.rating >= 4)'],
        'combined' => ['garden.vip', ['bought_categories' => [3], 'min_orders' => 2, 'min_spent' => 100], '(SELECT COUNT(*) FROM {orders} o WHERE {sale}) >= 2 AND (SELECT COALESCE(SUM(t.value), 0) FROM {orders} o JOIN {orders_total} t ON t.orders_id = o.orders_id AND t.class = \'ot_total\' WHERE {sale}) >= 100 AND EXISTS(SELECT 1 FROM {orders} o JOIN {orders_products} op ON op.orders_id = o.orders_id JOIN {products_to_categories} pc ON pc.products_id = op.products_id WHERE {sale} AND pc.categories_id IN (3, 5))'],
    ];

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return [
            'minimal schema' => ['minimal', 'oscommerce', ''],
            'osCommerce 2.3.4.1' => ['oscommerce2.sql', 'oscommerce', ''],
            'Zen Cart 2.2.2 with zen_' => ['zencart_installed_zen_prefix.sql', 'zencart', 'zen_'],
        ];
    }

    /** A shop with messy order history: returns [customer label => id]. */
    private function fill(Shop $shop, \Dsgvo\Store $store): array
    {
        mt_srand(20261202);
        $pdo = $shop->db->pdo;
        $t = function (string $name) use ($shop): string {
            return $shop->table($name);
        };
        foreach ([[1, 1, 'Pending'], [1, 2, 'Offen'], [2, 1, 'Shipped'], [2, 2, 'Versendet'], [99, 1, 'Cancelled'], [99, 2, 'Storniert']] as $row) {
            $pdo->prepare("INSERT INTO {$t('orders_status')} (orders_status_id, language_id, orders_status_name) VALUES (?, ?, ?)")->execute($row);
        }
        // Category 3 has the subcategory 5; categories 1 and 2 are roots, 4 is under 2.
        foreach ([[1, 0], [2, 0], [3, 1], [4, 2], [5, 3]] as $row) {
            $pdo->prepare("INSERT INTO {$t('categories')} (categories_id, parent_id) VALUES (?, ?)")->execute($row);
        }
        for ($p = 1; $p <= 12; $p++) {
            foreach (array_unique([$p % 5 + 1, $p === 7 ? 3 : $p % 5 + 1]) as $c) {
                $pdo->prepare("INSERT INTO {$t('products_to_categories')} (products_id, categories_id) VALUES (?, ?)")->execute([$p, $c]);
            }
        }
        $order = function (int $customer, string $email, float $daysAgo, int $status, float $subtotal, array $products) use ($shop, $pdo, $t): int {
            $id = $shop->addOrderWith($customer, $email, $products, $daysAgo);
            $pdo->prepare("UPDATE {$t('orders')} SET orders_status = ? WHERE orders_id = ?")->execute([$status, $id]);
            foreach ([['ot_subtotal', $subtotal], ['ot_shipping', 4.9], ['ot_total', $subtotal + 4.9]] as $i => [$class, $value]) {
                $pdo->prepare("INSERT INTO {$t('orders_total')} (orders_id, title, text, value, class, sort_order) VALUES (?, ?, ?, ?, ?, ?)")
                    ->execute([$id, $class, number_format($value, 2) . ' EUR', $value, $class, $i]);
            }
            return $id;
        };
        $created = function (int $customer, int $daysAgo) use ($pdo, $t): void {
            $pdo->prepare("INSERT INTO {$t('customers_info')} (customers_info_id, customers_info_date_account_created) VALUES (?, NOW() - INTERVAL ? DAY - INTERVAL 12 HOUR)")
                ->execute([$customer, $daysAgo]);
        };
        $ids = [];
        for ($i = 1; $i <= 60; $i++) {
            $email = mt_rand(0, 5) === 0 ? "K$i@Example.org" : "k$i@example.org";
            $id = $shop->addCustomer($email);
            $ids["k$i"] = $id;
            if (mt_rand(0, 9) > 0) {
                $created($id, mt_rand(0, 1000));
            }
            for ($n = mt_rand(0, 4); $n > 0; $n--) {
                $products = [];
                for ($k = mt_rand(1, 3); $k > 0; $k--) {
                    $products[] = mt_rand(1, 12);
                }
                // Orders placed with an old address count too: tags look at the account's own orders.
                $order($id, mt_rand(0, 3) === 0 ? "old$i@example.org" : $email, mt_rand(0, 400) + 0.5, [1, 2, 2, 99][mt_rand(0, 3)], mt_rand(500, 12000) / 100, $products);
            }
            if (mt_rand(0, 4) === 0) {
                // A guest order with the account's address: not the account's order.
                $order(0, $email, mt_rand(0, 30) + 0.5, 2, 500.0, [7]);
            }
            if (mt_rand(0, 2) === 0) {
                $store->rateEmail($store->logSend($id, 'newsletter'), mt_rand(1, 5));
            }
        }
        // Known people: each would match most rules.
        foreach (['hand', 'lost', 'objector', 'personal', 'restricted', 'first', 'second', 'erased'] as $who) {
            $email = $who === 'second' ? ' First@Example.org' : "$who@example.org";
            $id = $shop->addCustomer($email);
            $ids[$who] = $id;
            $created($id, 800);
            $order($id, $email, 10.5, 2, 120.0, [3, 7]);
            $order($id, $email, 200.5, 1, 90.0, [4]);
            $store->rateEmail($store->logSend($id, 'newsletter'), 5);
        }
        return $ids;
    }

    /** The customers the hand-written condition selects, less those who may not be tagged. */
    private function expected(Shop $shop, string $condition, array $excluded): array
    {
        $sql = strtr($condition, [
            '{sale}' => 'o.customers_id = c.customers_id AND o.orders_status NOT IN (99)',
            '{orders}' => $shop->table('orders'), '{orders_total}' => $shop->table('orders_total'),
            '{orders_products}' => $shop->table('orders_products'),
            '{products_to_categories}' => $shop->table('products_to_categories'),
            '{customers_info}' => $shop->table('customers_info'),
        ]);
        $ids = array_map('intval', $shop->db->pdo->query("SELECT c.customers_id FROM {$shop->table('customers')} c WHERE $sql ORDER BY c.customers_id")->fetchAll(\PDO::FETCH_COLUMN));
        return array_values(array_diff($ids, $excluded));
    }

    /** Who holds the rule's tags: [customer id => set_by], from the tags table. */
    private function tagged(Shop $shop, string $tag): array
    {
        $stmt = $shop->db->pdo->prepare('SELECT customer_id, set_by, rule FROM dsgvo_tags WHERE tag = ? ORDER BY customer_id');
        $stmt->execute([$tag]);
        $out = [];
        foreach ($stmt->fetchAll(\PDO::FETCH_NUM) as [$id, $by, $rule]) {
            $out[(int) $id] = $by === 'rule' ? "rule:$rule" : $by;
        }
        return $out;
    }

    /**
     * Asserts that the rule's own tags are exactly the expected customers less those holding the tag by hand;
     * returns the rule's customers.
     */
    private function assertRuleTags(Shop $shop, string $rule, string $tag, array $expected, string $message): array
    {
        $tagged = $this->tagged($shop, $tag);
        $byRule = array_keys(array_filter($tagged, fn ($by) => $by === "rule:$rule"));
        $hand = array_keys(array_filter($tagged, fn ($by) => $by === 'hand'));
        $this->assertSame(array_values(array_diff($expected, $hand)), $byRule, $message);
        return $byRule;
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEachConditionKindTagsWhatHandWrittenSqlSelects(string $fixture, string $preset, string $prefix): void
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $shop = Shop::create($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('newsletter', 'consent');
            $ids = $this->fill($shop, $store);
            foreach (self::RULES as $rule => [$tag, $conditions]) {
                $store->defineTagRule($rule, $tag, $conditions);
            }
            $names = array_keys(self::RULES);
            sort($names, SORT_STRING);
            $this->assertSame($names, array_column($store->tagRules(), 'rule'));
            // Set by hand before any run, with the name a rule sets.
            $this->assertTrue($store->tag($ids['hand'], 'loyal'));
            $store->optOut($ids['objector'], '*');
            $store->optOut($ids['personal'], 'personalisation');
            $store->restrict($ids['restricted']);
            // One person, two accounts: the second account's address (another spelling) objected with the first.
            $store->optOut($ids['first'], '*');
            $store->erase($ids['erased']);
            $never = [$ids['objector'], $ids['personal'], $ids['restricted'], $ids['first'], $ids['second'], $ids['erased']];

            $preview = $store->applyTagRules(['dry_run' => true]);
            $this->assertSame(0, (int) $shop->db->pdo->query("SELECT COUNT(*) FROM dsgvo_tags WHERE set_by = 'rule'")->fetchColumn(), 'a dry run writes nothing');
            $first = $store->applyTagRules();
            $this->assertSame($preview, $first, 'the dry run counted what the run did');
            $this->assertSame($names, array_keys($first));
            foreach (self::RULES as $rule => [$tag, , $condition]) {
                $expected = $this->expected($shop, $condition, $never);
                $this->assertNotEmpty($expected, "$fixture: the data reaches rule $rule");
                $byRule = $this->assertRuleTags($shop, $rule, $tag, $expected, "$fixture: rule $rule tags exactly the hand-written selection");
                $this->assertSame(['tag' => $tag, 'added' => count($byRule), 'removed' => 0, 'matching' => count($expected)], $first[$rule], $rule);
            }
            $this->assertSame('hand', $this->tagged($shop, 'loyal')[$ids['hand']], 'a rule never takes over a tag set by hand');
            $rules = array_column($store->tagRules(), null, 'rule');
            $this->assertSame($first['fan']['added'], $rules['fan']['last_added']);
            $this->assertSame($first['fan']['matching'], $rules['fan']['last_matching']);
            $this->assertNotNull($rules['fan']['last_run_at']);

            $again = $store->applyTagRules();
            foreach ($again as $rule => $run) {
                $this->assertSame([0, 0, $first[$rule]['matching']], [$run['added'], $run['removed'], $run['matching']], "$fixture: a second run of $rule changes nothing");
            }

            // 'lost' and 'hand' stop matching 'frequent' (their second order is cancelled): the rule's tag goes,
            // the hand-set one stays. A restriction after the run removes the customer's rule tags on the next run.
            $this->assertSame('rule:frequent', $this->tagged($shop, 'loyal')[$ids['lost']]);
            $shop->db->pdo->prepare("UPDATE {$shop->table('orders')} SET orders_status = 99 WHERE customers_id IN (?, ?) AND orders_status = 1")
                ->execute([$ids['lost'], $ids['hand']]);
            $ruleTags = function (int $id) use ($shop): int {
                $stmt = $shop->db->pdo->prepare("SELECT COUNT(*) FROM dsgvo_tags WHERE customer_id = ? AND set_by = 'rule'");
                $stmt->execute([$id]);
                return (int) $stmt->fetchColumn();
            };
            $victim = null;
            foreach ($ids as $label => $id) {
                if (str_starts_with($label, 'k') && $ruleTags($id) > 0) {
                    $victim = $id;
                    break;
                }
            }
            $this->assertNotNull($victim);
            $victimTags = $ruleTags($victim);
            $store->restrict($victim);
            $this->assertSame($victimTags, $ruleTags($victim), 'restrict() itself deletes nothing');
            // An objection to all mail recorded without removing tags (as an older version or an import left it):
            // the next run removes the rule tags.
            $silent = null;
            foreach ($ids as $label => $id) {
                if (str_starts_with($label, 'k') && $id !== $victim && $ruleTags($id) > 0) {
                    $silent = $id;
                }
            }
            $shop->db->pdo->prepare("INSERT INTO dsgvo_opt_outs (customer_id, type, created_at) VALUES (?, '*', UTC_TIMESTAMP(6))")->execute([$silent]);
            $third = $store->applyTagRules();
            $this->assertArrayNotHasKey($ids['lost'], $this->tagged($shop, 'loyal'), 'the customer who stopped matching lost the rule tag');
            $this->assertSame('hand', $this->tagged($shop, 'loyal')[$ids['hand']] ?? null, 'the hand-set tag of the same name stays');
            $this->assertSame(0, $ruleTags($victim), 'the restricted customer lost every rule tag');
            $this->assertSame(0, $ruleTags($silent), 'the objecting customer lost every rule tag');
            $this->assertGreaterThanOrEqual($victimTags + 1, array_sum(array_column($third, 'removed')), 'lost at least one, the restricted customer all of theirs');
            foreach (self::RULES as $rule => [$tag, , $condition]) {
                $expected = $this->expected($shop, $condition, array_merge($never, [$victim, $silent]));
                $this->assertRuleTags($shop, $rule, $tag, $expected, "$fixture: after the changes, $rule");
                $this->assertSame(count($expected), $third[$rule]['matching'], $rule);
            }

            // A customer who objects to all mail is not tagged again (optOut removed the tags at once).
            $objecting = $ids['k2'] !== $victim ? $ids['k2'] : $ids['k3'];
            $store->optOut($objecting, '*');
            $store->applyTagRules();
            $this->assertSame([], $store->tags($objecting));

            // Only the named rules run; dropping a rule removes its tags only.
            $only = $store->applyTagRules(['rules' => ['fan']]);
            $this->assertSame(['fan'], array_keys($only));
            $fans = count(array_filter($this->tagged($shop, 'fan'), fn ($by) => $by === 'rule:fan'));
            $this->assertSame($fans, $store->dropTagRule('fan'));
            $this->assertSame([], $this->tagged($shop, 'fan'));
            $this->assertNotContains('fan', array_column($store->tagRules(), 'rule'));
            $this->assertSame('hand', $this->tagged($shop, 'loyal')[$ids['hand']]);
            // The export names who set each tag: the hand, or the rule by name.
            $doc = json_decode($store->export($ids['hand']), true, 64, JSON_THROW_ON_ERROR);
            $items = array_column($doc['sections'], null, 'id')['dsgvo.tags']['items'];
            $by = [];
            foreach ($items as $item) {
                $by[$item['tag']] = $item['set_by'] === 'rule' ? 'rule:' . $item['rule'] : $item['set_by'];
            }
            $this->assertSame('hand', $by['loyal']);
            $this->assertContains('rule:old.account', $by);
        } finally {
            $shop->drop();
        }
    }

    public function testBadRulesAreRefusedAndNothingWritten(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store();
            $store->migrate();
            $store->defineTagRule('ok', 'vip', ['min_orders' => 1]);
            foreach ([
                ['r', 'vip', ['min_order' => 1]],
                ['r', 'vip', []],
                ['r', 'vip', ['min_orders' => -1]],
                ['r', 'vip', ['min_spent' => '12,50']],
                ['r', 'vip', ['min_spent' => -5]],
                ['r', 'vip', ['bought_categories' => []]],
                ['r', 'vip', ['bought_categories' => ['garden']]],
                ['r', 'vip', ['min_rating' => 6]],
                ['r', 'vip', ['ordered_within_days' => '30']],
                ['bad rule', 'vip', ['min_orders' => 1]],
                ['r', "vip\0", ['min_orders' => 1]],
            ] as [$rule, $tag, $conditions]) {
                try {
                    $store->defineTagRule($rule, $tag, $conditions);
                    $this->fail('refused: ' . json_encode($conditions));
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
            $this->assertSame(['ok'], array_column($store->tagRules(), 'rule'));
            $this->assertSame(['min_orders' => 1], $store->tagRules()[0]['conditions']);
            $this->expectExceptionMessageMatches('/no tag rule named .nope./');
            try {
                $store->applyTagRules(['rules' => ['nope']]);
            } catch (InvalidInputException $e) {
                $this->assertSame(0, (int) $shop->db->pdo->query('SELECT COUNT(*) FROM dsgvo_tags')->fetchColumn());
                try {
                    $store->applyTagRules(['bogus' => true]);
                    $this->fail('unknown option');
                } catch (InvalidInputException $ignored) {
                }
                try {
                    (new \Dsgvo\Store(['dsn' => $shop->db->dsn]))->applyTagRules();
                    $this->fail('no shop preset');
                } catch (ConfigException $ignored) {
                }
                $store->dropTagRule('nope');
            }
        } finally {
            $shop->drop();
        }
    }
}
