<?php
/**
 * dsgvo demo: what a shop developer sees on the first day.
 *   scripts/demo   (or: php -d extension=target/release/libdsgvo.so examples/demo.php)
 * Uses DSGVO_DSN (default mysql://root@127.0.0.1:3306/test) and a demo database it creates beside it.
 */
declare(strict_types=1);

if (!extension_loaded('dsgvo')) {
    fwrite(STDERR, "Load the extension: php -d extension=\$PWD/target/release/libdsgvo.so examples/demo.php\n");
    exit(1);
}

$base = getenv('DSGVO_DSN') ?: 'mysql://root@127.0.0.1:3306/test';
// The demo writes into its own database, next to the one DSGVO_DSN names.
$dsn = preg_replace('~^(mysql://[^/]+)/[^?]*~', '$1/dsgvo_demo', $base);

$ext = new ReflectionExtension('dsgvo');
printf("dsgvo %s loaded into PHP %s (%s)\n\n", $ext->getVersion(), PHP_VERSION, PHP_SAPI);

echo "1. A bad option is refused before anything connects:\n";
try {
    new Dsgvo\Store(['dsn' => $dsn, 'table_prefix' => "x; DROP TABLE customers"]);
} catch (Dsgvo\ConfigException $e) {
    printf("   %s: %s\n\n", get_class($e), $e->getMessage());
}

echo "2. An unreachable database is reported within connect_timeout_ms:\n";
$t = microtime(true);
$down = new Dsgvo\Store(['dsn' => 'mysql://shop:secret-password@127.0.0.1:1/shop', 'connect_timeout_ms' => 500]);
printf("   ping(): %s\n", var_export($down->ping(), true));
try {
    $down->migrate();
} catch (Dsgvo\DatabaseException $e) {
    printf("   %s after %.0f ms: %s\n\n", get_class($e), (microtime(true) - $t) * 1000, $e->getMessage());
}

echo "3. The shop's store: create the demo database, migrate, look at the tables.\n";
$u = parse_url($base);
$pdo = new PDO(
    sprintf('mysql:host=%s;port=%d', $u['host'] ?? '127.0.0.1', $u['port'] ?? 3306),
    urldecode($u['user'] ?? 'root'),
    urldecode($u['pass'] ?? ''),
    [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]
);
$pdo->exec('CREATE DATABASE IF NOT EXISTS dsgvo_demo CHARACTER SET utf8mb4');

$store = new Dsgvo\Store([
    'dsn' => $dsn,
    'shop' => 'oscommerce',
    'secret' => bin2hex(random_bytes(32)),
]);
printf("   ping(): %s\n", var_export($store->ping(), true));
printf("   migrate(): schema version %d\n", $store->migrate());
printf("   migrate() again: schema version %d (nothing changed)\n", $store->migrate());
$pdo->exec('USE dsgvo_demo');
foreach ($pdo->query("SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'dsgvo_demo' AND TABLE_NAME LIKE 'dsgvo\\_%' ORDER BY TABLE_NAME") as $row) {
    printf("   %-26s %-7s %s\n", $row['TABLE_NAME'], $row['ENGINE'], $row['TABLE_COLLATION']);
}

echo "\n4. Version, build and php.ini settings (php --ri dsgvo; this demo passes its options to the constructor):\n";
ob_start();
$ext->info();
foreach (explode("\n", trim(strip_tags((string) ob_get_clean()))) as $line) {
    echo '   ', $line, "\n";
}
echo "\nDone. The demo database dsgvo_demo stays for you to look at; drop it with: DROP DATABASE dsgvo_demo;\n";
