<?php
/**
 * Installs or uninstalls dsgvo in a CE Phoenix 1.0.7 shop, from the command line, as the user that owns the
 * shop's files, with the dsgvo extension and its settings loaded (the same php.ini values as the shop's PHP):
 *
 *   php install.php install   /var/www/shop admin
 *   php install.php uninstall /var/www/shop admin
 *
 * install copies files/ into the shop (files/admin/ into the admin folder, whatever it is named), refuses to
 * overwrite any file the shop has, records what it added in includes/dsgvo-phoenix-install.json, creates
 * dsgvo's tables and the email types the hooks use. Phoenix finds the hooks by their place in
 * includes/hooks/, so no shop table changes. uninstall removes exactly what install added; dsgvo's own
 * tables stay: the consent ledger and the objections are the shop's proof (Art. 7(1), 21 GDPR).
 */
declare(strict_types=1);

const MANIFEST = 'includes/dsgvo-phoenix-install.json';

function fail(string $message): void
{
    fwrite(STDERR, "dsgvo-phoenix: $message\n");
    exit(1);
}

/** @return array<string, string> target path (relative to the shop root) => source path */
function plan(string $source, string $adminDir): array
{
    $files = [];
    $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($source, FilesystemIterator::SKIP_DOTS));
    foreach ($it as $file) {
        $rel = substr($file->getPathname(), strlen($source) + 1);
        if (strpos($rel, 'admin/') === 0) {
            $rel = $adminDir . substr($rel, 5);
        }
        $files[$rel] = $file->getPathname();
    }
    ksort($files);
    return $files;
}

[$self, $command, $shop, $adminDir] = array_pad($argv, 4, '');
if (!in_array($command, ['install', 'uninstall'], true) || $shop === '' || $adminDir === '') {
    fail('usage: php install.php install|uninstall SHOP_ROOT ADMIN_FOLDER');
}
$shop = rtrim((string) realpath($shop), '/');
if ($shop === '' || !is_file("$shop/includes/application_top.php") || !is_dir("$shop/includes/system/versioned/1.0.7.other")) {
    fail("$argv[2] is no CE Phoenix 1.0.7 shop root (includes/system/versioned/1.0.7.other is missing)");
}
if (preg_match('/^[A-Za-z0-9_-]+$/', $adminDir) !== 1 || !is_file("$shop/$adminDir/includes/configure.php")) {
    fail("$adminDir is not the shop's admin folder (no $adminDir/includes/configure.php)");
}

if ($command === 'uninstall') {
    $manifest = json_decode((string) @file_get_contents("$shop/" . MANIFEST), true);
    if (!is_array($manifest)) {
        fail('dsgvo is not installed here (no ' . MANIFEST . ')');
    }
    foreach ($manifest['files'] as $rel) {
        if (is_file("$shop/$rel") && !unlink("$shop/$rel")) {
            fail("cannot remove $rel");
        }
    }
    // Folders install created, deepest first, if nothing else was put in them since.
    $dirs = $manifest['dirs'];
    usort($dirs, static function (string $a, string $b): int {
        return substr_count($b, '/') <=> substr_count($a, '/');
    });
    foreach ($dirs as $rel) {
        if (is_dir("$shop/$rel") && count(scandir("$shop/$rel")) === 2) {
            rmdir("$shop/$rel");
        }
    }
    unlink("$shop/" . MANIFEST);
    echo 'dsgvo removed from the shop (' . count($manifest['files']) . " files); dsgvo's own tables are kept\n";
    exit(0);
}

if (!class_exists('Dsgvo\Store')) {
    fail('the dsgvo PHP extension is not loaded: run this with the php.ini of the shop (extension=dsgvo.so, dsgvo.dsn, dsgvo.secret, dsgvo.shop=oscommerce)');
}
if (is_file("$shop/" . MANIFEST)) {
    fail('dsgvo is installed here already (' . MANIFEST . '); uninstall first');
}
$plan = plan(__DIR__ . '/files', $adminDir);
foreach ($plan as $rel => $from) {
    if (file_exists("$shop/$rel")) {
        fail("the shop has $rel already: not overwritten, nothing installed");
    }
}
try {
    $store = new \Dsgvo\Store();
    $store->migrate();
    // Types the shop has defined already keep their options.
    $defined = array_column($store->emailTypes(), 'type');
    foreach (['newsletter', 'review.request', 'product_notification'] as $type) {
        if (!in_array($type, $defined, true)) {
            $store->defineEmailType($type, 'consent');
        }
    }
} catch (\Dsgvo\Exception $e) {
    fail(get_class($e) . ': ' . $e->getMessage() . ' (nothing was copied)');
}
$created = [];
foreach ($plan as $rel => $from) {
    $dir = dirname($rel);
    $missing = [];
    for ($d = $dir; $d !== '.' && !is_dir("$shop/$d"); $d = dirname($d)) {
        $missing[] = $d;
    }
    foreach (array_reverse($missing) as $d) {
        if (!mkdir("$shop/$d")) {
            fail("cannot create $d");
        }
        $created[] = $d;
    }
    if (!copy($from, "$shop/$rel")) {
        fail("cannot copy $rel");
    }
}
file_put_contents("$shop/" . MANIFEST, json_encode(['files' => array_keys($plan), 'dirs' => $created], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
echo 'dsgvo installed in the shop (' . count($plan) . " files)\n";
