<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PDO;

/**
 * The real shop schemas in ../shared/fixtures/shop-schemas (see DESIGN.md), when present. They are never
 * copied into this project; tests that use them skip, saying so, when the folder is absent.
 * DSGVO_SHOP_SCHEMAS may point elsewhere.
 */
final class ShopSchemas
{
    /** fixture file => [shop preset, shop_table_prefix] */
    public const PRESETS = [
        'oscommerce2.sql' => ['oscommerce', ''],
        'zencart.sql' => ['zencart', ''],
        'zencart_installed_zen_prefix.sql' => ['zencart', 'zen_'],
        'modified.sql' => ['modified', ''],
        'xtcmodified.sql' => ['modified', ''],
        'gambio.sql' => ['gambio', ''],
    ];

    public static function directory(): ?string
    {
        $dir = getenv('DSGVO_SHOP_SCHEMAS');
        if (!is_string($dir) || $dir === '') {
            $dir = dirname(__DIR__, 4) . '/shared/fixtures/shop-schemas';
        }
        return is_dir($dir) ? $dir : null;
    }

    public static function skipReason(): string
    {
        return 'SKIPPED: real shop schemas not found (../shared/fixtures/shop-schemas or DSGVO_SHOP_SCHEMAS); '
            . 'the tests against osCommerce, Zen Cart, modified, xtcModified and Gambio did not run';
    }

    /** Creates the fixture's tables in the database of $pdo, with the shops' own lax sql_mode. */
    public static function load(PDO $pdo, string $file): void
    {
        $dir = self::directory();
        if ($dir === null) {
            throw new \RuntimeException(self::skipReason());
        }
        self::run($pdo, (string) file_get_contents($dir . '/' . $file));
    }

    /**
     * The project's own minimal shop (tests/php/fixtures/shop_minimal.sql) with the given table prefix, for the
     * tests and the benchmarks.
     */
    public static function loadMinimal(PDO $pdo, string $prefix = ''): void
    {
        self::run($pdo, str_replace('{prefix}', $prefix, (string) file_get_contents(__DIR__ . '/../fixtures/shop_minimal.sql')));
    }

    /** Runs a schema file's statements (`;` at a line's end ends one, `--` lines are comments), laxly like the shops. */
    private static function run(PDO $pdo, string $sql): void
    {
        $pdo->exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
        foreach (preg_split('/;\s*$/m', (string) preg_replace('/^--.*$/m', '', $sql)) ?: [] as $statement) {
            if (trim($statement) !== '') {
                $pdo->exec($statement);
            }
        }
    }
}
