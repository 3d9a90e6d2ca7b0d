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

    /**
     * MailBeez's tables beside a shop, with the shop's table prefix: MailBeez 2.92's own DDL (mailbeez.sql)
     * when ../shared is there and $real, else the project's own copy with the same names.
     */
    public static function loadMailBeez(PDO $pdo, string $prefix = '', bool $real = true): void
    {
        $dir = self::directory();
        if ($real && $dir !== null) {
            // The fixture names the tables bare, as installed with an empty DB_PREFIX.
            self::run($pdo, (string) preg_replace('/\bmailbeez_/', $prefix . 'mailbeez_', (string) file_get_contents($dir . '/mailbeez.sql')));
            return;
        }
        self::run($pdo, str_replace('{prefix}', $prefix, (string) file_get_contents(__DIR__ . '/../fixtures/mailbeez_minimal.sql')));
    }

    /**
     * Zen Cart 2.2.2's admin_activity_log, from the Zen Cart source tree in ../shared (the schema fixtures
     * leave it out); false when that tree is absent.
     */
    public static function loadZenCartAdminLog(PDO $pdo, string $prefix): bool
    {
        $dir = self::directory();
        $file = $dir === null ? null : dirname($dir) . '/shops/zencart-2.2.2/zc_install/sql/install/mysql_zencart.sql';
        if ($file === null || !is_file($file)) {
            return false;
        }
        if (preg_match('/^CREATE TABLE admin_activity_log \(.*?^\)[^;]*;/ms', (string) file_get_contents($file), $m) !== 1) {
            throw new \RuntimeException("admin_activity_log not found in $file");
        }
        self::run($pdo, (string) preg_replace('/^CREATE TABLE admin_activity_log/', "CREATE TABLE {$prefix}admin_activity_log", $m[0]));
        return true;
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
