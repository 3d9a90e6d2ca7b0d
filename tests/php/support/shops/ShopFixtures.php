<?php
declare(strict_types=1);

namespace Dsgvo\Tests\Shops;

use PDO;

/** Where the real shops' sources are, and a shop database as text (for the scan after an erasure). */
final class ShopFixtures
{
    /** The shop's source tree under ../shared/fixtures/shops (or DSGVO_SHOP_SOURCES), null when it is absent. */
    public static function source(string $name): ?string
    {
        $dir = getenv('DSGVO_SHOP_SOURCES');
        if (!is_string($dir) || $dir === '') {
            $dir = dirname(__DIR__, 5) . '/shared/fixtures/shops';
        }
        return is_dir("$dir/$name") ? "$dir/$name" : null;
    }

    /** Every row of every table as text. @return array<string, list<string>> */
    public static function dump(PDO $pdo): array
    {
        $out = [];
        foreach ($pdo->query('SHOW TABLES')->fetchAll(PDO::FETCH_COLUMN) as $table) {
            foreach ($pdo->query("SELECT * FROM `$table`")->fetchAll(PDO::FETCH_ASSOC) as $row) {
                $out[(string) $table][] = implode("\t", array_map(function ($v): string {
                    return (string) ($v ?? '');
                }, $row));
            }
        }
        return $out;
    }
}
