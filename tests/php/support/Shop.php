<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

/**
 * A shop database for a test: the project's minimal schema, or one of the real shop schemas when
 * ../shared is there. Adds customers and orders the way the shop would (lax sql_mode, shop-local NOW()).
 */
final class Shop
{
    /** @var TestDatabase */
    public $db;
    /** @var string preset for Dsgvo\Store: oscommerce, zencart, modified, gambio */
    public $preset;
    /** @var string shop table prefix */
    public $prefix;
    /** @var string what the shop was made from */
    public $label;

    /**
     * Shops the decision tests run on: [label => [fixture file or 'minimal', preset, prefix]].
     * Real schemas are included when present; skipped() tells which were not.
     *
     * @return array<string, array{0: string, 1: string, 2: string}>
     */
    public static function kinds(): array
    {
        return [
            'minimal osCommerce-style schema' => ['minimal', 'oscommerce', ''],
            'minimal schema, zen_ prefix' => ['minimal', 'zencart', 'zen_'],
            'osCommerce 2.3.4.1' => ['oscommerce2.sql', 'oscommerce', ''],
            'modified eCommerce 3.3.0' => ['modified.sql', 'modified', ''],
            'xtcModified 1.0.6' => ['xtcmodified.sql', 'modified', ''],
            'Zen Cart 2.2.2 with zen_' => ['zencart_installed_zen_prefix.sql', 'zencart', 'zen_'],
            'Gambio GX 3.2' => ['gambio.sql', 'gambio', ''],
        ];
    }

    /**
     * The project's own schema and the real osCommerce and Zen Cart schemas (those only when ../shared is there).
     *
     * @return array<string, array{0: string, 1: string, 2: string}>
     */
    public static function ownOsCommerceAndZenCart(): array
    {
        $kinds = self::kinds();
        return array_intersect_key($kinds, array_flip(['minimal osCommerce-style schema', 'osCommerce 2.3.4.1', 'Zen Cart 2.2.2 with zen_']));
    }

    /** As create(), but a real schema without ../shared marks the test skipped, saying so. */
    public static function createOrSkip(string $fixture, string $preset, string $prefix): self
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            \PHPUnit\Framework\Assert::markTestSkipped(ShopSchemas::skipReason());
        }
        return self::create($fixture, $preset, $prefix);
    }

    public static function create(string $fixture, string $preset, string $prefix): self
    {
        $shop = new self();
        $shop->db = TestDatabase::create('shop');
        $shop->preset = $preset;
        $shop->prefix = $prefix;
        $shop->label = $fixture;
        if ($fixture === 'minimal') {
            ShopSchemas::loadMinimal($shop->db->pdo, $prefix);
        } else {
            ShopSchemas::load($shop->db->pdo, $fixture);
        }
        // The shops write with a lax sql_mode; so does this helper.
        $shop->db->pdo->exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
        return $shop;
    }

    /** @param array<string, mixed> $options */
    public function store(array $options = []): \Dsgvo\Store
    {
        return new \Dsgvo\Store($options + [
            'dsn' => $this->db->dsn,
            'shop' => $this->preset,
            'shop_table_prefix' => $this->prefix,
        ]);
    }

    public function table(string $name): string
    {
        return '`' . $this->prefix . $name . '`';
    }

    public function addCustomer(string $email, ?int $id = null): int
    {
        $stmt = $this->db->pdo->prepare(
            "INSERT INTO {$this->table('customers')} (customers_id, customers_firstname, customers_lastname, customers_email_address) VALUES (?, 'Erika', 'Mustermann', ?)"
        );
        $stmt->execute([$id, $email]);
        return $id ?? (int) $this->db->pdo->lastInsertId();
    }

    /** An order of the account, dated $daysAgo days before the database's NOW(). */
    public function addOrder(int $customerId, string $email, float $daysAgo): int
    {
        $stmt = $this->db->pdo->prepare(
            "INSERT INTO {$this->table('orders')} (customers_id, customers_name, customers_email_address, date_purchased)
             VALUES (?, 'Erika Mustermann', ?, NOW() - INTERVAL ? SECOND)"
        );
        $stmt->execute([$customerId, $email, (int) round($daysAgo * 86400)]);
        return (int) $this->db->pdo->lastInsertId();
    }

    /** An order with these products, dated $daysAgo days before NOW(); returns the order id. */
    public function addOrderWith(int $customerId, string $email, array $products, float $daysAgo = 1): int
    {
        $order = $this->addOrder($customerId, $email, $daysAgo);
        $stmt = $this->db->pdo->prepare("INSERT INTO {$this->table('orders_products')} (orders_id, products_id, products_name, products_quantity) VALUES (?, ?, 'Produkt', 1)");
        foreach ($products as $product) {
            $stmt->execute([$order, $product]);
        }
        return $order;
    }

    public function drop(): void
    {
        $this->db->drop();
    }
}
