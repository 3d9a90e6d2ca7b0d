<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * migrate() in a database that holds a real shop (osCommerce, Zen Cart with and without zen_, modified,
 * xtcModified, Gambio): the own tables appear beside the shop's, and not one shop table changes.
 */
final class ShopSchemaTest extends TestCase
{
    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        $cases = [];
        foreach (ShopSchemas::PRESETS as $file => [$shop, $prefix]) {
            $cases[$file] = [$file, $shop, $prefix];
        }
        return $cases;
    }

    /** @return array<string, string> */
    private static function createStatements(PDO $pdo): array
    {
        $out = [];
        foreach ($pdo->query('SHOW TABLES')->fetchAll(PDO::FETCH_COLUMN) as $table) {
            $out[$table] = $pdo->query("SHOW CREATE TABLE `$table`")->fetch(PDO::FETCH_NUM)[1];
        }
        return $out;
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testMigrateLeavesTheShopsTablesUntouched(string $file, string $shop, string $prefix): void
    {
        if (ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $db = TestDatabase::create('shop');
        try {
            ShopSchemas::load($db->pdo, $file);
            $shopTables = self::createStatements($db->pdo);
            $this->assertArrayHasKey($prefix . 'customers', $shopTables, "$file defines {$prefix}customers");

            $store = new Store(['dsn' => $db->dsn, 'shop' => $shop, 'shop_table_prefix' => $prefix]);
            $this->assertSame(7, $store->migrate(), 'schema version 7');

            $after = self::createStatements($db->pdo);
            foreach ($shopTables as $table => $create) {
                $this->assertSame($create, $after[$table] ?? null, "$file: $table changed");
            }
            $own = array_diff(array_keys($after), array_keys($shopTables));
            $this->assertCount(21, $own, implode(', ', $own));
            foreach ($own as $table) {
                $this->assertStringStartsWith('dsgvo_', $table);
            }
        } finally {
            $db->drop();
        }
    }
}
