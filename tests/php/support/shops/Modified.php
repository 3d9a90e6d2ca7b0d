<?php
declare(strict_types=1);

namespace Dsgvo\Tests\Shops;

use Dsgvo\Tests\WebDriver;
use PDO;

/**
 * modified eCommerce 3.3.0 installed for real from ../shared/fixtures/shops/modified-3.3.0 by its own web
 * installer (_installer/, session based: one cookie jar for the whole run), as the fixtures' README describes.
 * PHP runs as www-data when the test runs as root: the installer's permission check refuses root and then shows
 * no form. Needs PHP's gd (the installer hides its form without it).
 */
final class Modified
{
    public const ADMIN_DIR = 'admin';
    public const OWNER_EMAIL = 'owner@shop.example';
    public const OWNER_PASSWORD = 'FxAdmin-2026!';

    /** @var ShopWeb */
    public $web;
    /** @var PDO */
    public $pdo;

    public static function source(): ?string
    {
        return ShopWeb::fixture('modified-3.3.0');
    }

    /** What is missing to install modified here, as a sentence; null when nothing is. */
    public static function missing(): ?string
    {
        if (self::source() === null) {
            return 'SKIPPED: modified sources not found (../shared/fixtures/shops/modified-3.3.0 or DSGVO_SHOP_SOURCES)';
        }
        $php = PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
        $gd = trim((string) shell_exec("php-fpm$php -m 2>/dev/null | grep -x gd"));
        return $gd === '' ? "SKIPPED: PHP-FPM has no gd (apt-get install php$php-gd); the modified installer needs it" : null;
    }

    /**
     * @param array{host: string, port: int, user: string, pass: string} $db
     * @param array<string, string> $ini dsgvo.* values for FPM
     */
    public static function install(ShopWeb $web, string $dbName, array $db, string $dsn, array $ini): self
    {
        $shop = new self();
        $shop->web = $web;
        $web->copyTree((string) self::source());
        $ini += ['dsgvo.dsn' => $dsn, 'dsgvo.shop' => 'modified', 'dsgvo.shop_table_prefix' => ''];
        $web->start($ini, ShopWeb::plainPhpServer(), 'www-data');

        $jar = 'installer';
        $r = $web->request('GET', '_installer/?language=en', null, $jar);
        self::expect($r, 'the installer start page');
        $r = $web->request('POST', '_installer/install_step1.php', [
            'action' => 'process', 'db_type' => 'mysqli', 'db_server' => $db['port'] === 3306 ? $db['host'] : $db['host'] . ':' . $db['port'],
            'db_username' => $db['user'], 'db_password' => $db['pass'], 'db_database' => $dbName,
            'db_charset' => 'utf8mb4', 'db_engine' => 'InnoDB', 'db_pconnect' => 'false',
            'http_server' => $web->base, 'https_server' => $web->base, 'use_ssl' => 'true', 'session' => 'mysql',
            'admin_directory' => self::ADMIN_DIR,
        ], $jar);
        self::expect($r, 'installer step 1');
        // modified's configure.php was just written: opcache is off in the pools, so the next request reads it.
        foreach ([0, 1, 2] as $sql) {
            self::expect($web->request('GET', "_installer/install_step1.php?action=restorenow&sql=$sql", null, $jar), "restorenow $sql");
            self::untilEof($web, "_installer/install_step1.php?action=restoredb&sql=$sql", $jar);
        }
        self::expect($web->request('GET', '_installer/install_step1.php?action=convertnow', null, $jar), 'convertnow');
        self::untilEof($web, '_installer/install_step1.php?action=convertdb', $jar);
        $r = $web->request('POST', '_installer/install_step2.php', [
            'action' => 'process', 'firstname' => 'Olga', 'lastname' => 'Owner', 'company' => 'Shop GmbH',
            'street_address' => 'Hauptstraße 1', 'postcode' => '10115', 'city' => 'Berlin', 'country' => '81',
            'email_address' => self::OWNER_EMAIL, 'confirm_email_address' => self::OWNER_EMAIL,
            'password' => self::OWNER_PASSWORD, 'confirm_password' => self::OWNER_PASSWORD,
        ], $jar);
        self::expect($r, 'installer step 2');
        self::expect($web->request('GET', '_installer/?action=shop', null, $jar), 'installer finish');
        $shop->pdo = new PDO(sprintf('mysql:host=%s;port=%d;dbname=%s;charset=utf8mb4', $db['host'], $db['port'], $dbName),
            $db['user'], $db['pass'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        if ((int) $shop->pdo->query('SELECT COUNT(*) FROM customers WHERE customers_status = 0')->fetchColumn() !== 1) {
            throw new \RuntimeException('the installer made no shop owner');
        }
        return $shop;
    }

    /**
     * Installs a payment, shipping or order-total module as the admin's Modules page does: its "install" action,
     * then the module list, which writes MODULE_<TYPE>_INSTALLED. The browser must be logged in as the admin.
     *
     * @param string $set payment, shipping or ordertotal
     */
    public function installModule(WebDriver $b, string $set, string $module): void
    {
        $b->get($this->web->base . '/' . self::ADMIN_DIR . "/modules.php?set=$set&module=$module&action=install");
        $b->waitFor('body');
        $key = ['payment' => 'MODULE_PAYMENT_INSTALLED', 'shipping' => 'MODULE_SHIPPING_INSTALLED', 'ordertotal' => 'MODULE_ORDER_TOTAL_INSTALLED'][$set];
        $q = $this->pdo->prepare('SELECT configuration_value FROM configuration WHERE configuration_key = ?');
        $q->execute([$key]);
        if (!in_array("$module.php", explode(';', (string) $q->fetchColumn()), true)) {
            throw new \RuntimeException("modified did not install the $set module $module: " . substr($b->text('body'), 0, 500));
        }
    }

    /**
     * One category and one product that can be bought (in stock, with a price and the standard tax class), written
     * into modified's tables as the fixtures' README did: modified ships no products. @return int the product id
     */
    public function addProduct(string $name, string $price): int
    {
        $pdo = $this->pdo;
        $pdo->exec("SET SESSION sql_mode = ''"); // as modified runs: its tables have NOT NULL columns without defaults
        $pdo->exec("INSERT INTO categories (parent_id, categories_status, group_permission_0, group_permission_1, group_permission_2, group_permission_3, group_permission_4, date_added) VALUES (0, 1, 1, 1, 1, 1, 1, NOW())");
        $category = (int) $pdo->lastInsertId();
        $tax = (int) $pdo->query('SELECT MIN(tax_class_id) FROM tax_rates')->fetchColumn();
        $pdo->prepare("INSERT INTO products (products_quantity, products_model, group_permission_0, group_permission_1, group_permission_2, group_permission_3, group_permission_4, products_price, products_date_added, products_weight, products_status, products_tax_class_id) VALUES (100, 'E2E-1', 1, 1, 1, 1, 1, ?, NOW(), 1, 1, ?)")
            ->execute([$price, $tax]);
        $product = (int) $pdo->lastInsertId();
        $pdo->prepare('INSERT INTO products_to_categories (products_id, categories_id) VALUES (?, ?)')->execute([$product, $category]);
        foreach ($pdo->query('SELECT languages_id FROM languages')->fetchAll(PDO::FETCH_COLUMN) as $language) {
            $pdo->prepare('INSERT INTO categories_description (categories_id, language_id, categories_name) VALUES (?, ?, ?)')->execute([$category, $language, 'Testkategorie']);
            $pdo->prepare('INSERT INTO products_description (products_id, language_id, products_name, products_description) VALUES (?, ?, ?, ?)')->execute([$product, $language, $name, $name]);
        }
        return $product;
    }

    public function customerId(string $email): int
    {
        $q = $this->pdo->prepare('SELECT customers_id FROM customers WHERE customers_email_address = ? COLLATE utf8mb4_bin');
        $q->execute([$email]);
        return (int) $q->fetchColumn();
    }

    /** @return array{0: int, 1: int|null} customers.customers_newsletter and newsletter_recipients.mail_status (null: no row) */
    public function newsletterFlags(string $email): array
    {
        $q = $this->pdo->prepare('SELECT customers_newsletter FROM customers WHERE customers_email_address = ?');
        $q->execute([$email]);
        $flag = (int) $q->fetchColumn();
        $q = $this->pdo->prepare('SELECT mail_status FROM newsletter_recipients WHERE customers_email_address = ?');
        $q->execute([$email]);
        $status = $q->fetchColumn();
        return [$flag, $status === false ? null : (int) $status];
    }

    /** @return array<string, list<string>> every row of every table as text */
    public function dump(): array
    {
        return ShopFixtures::dump($this->pdo);
    }

    /** @return list<string> every file of the shop tree, relative, with its hash (the shop's caches and logs left out) */
    public function files(): array
    {
        $out = [];
        $root = $this->web->docroot;
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST);
        foreach ($it as $file) {
            $rel = substr($file->getPathname(), strlen($root) + 1);
            if (preg_match('#^(cache|templates_c|log|images|media|export|download|includes/external/magnalister)/#', $rel) === 1) {
                continue;
            }
            $out[] = $rel . ($file->isFile() ? ' ' . md5_file($file->getPathname()) : '/');
        }
        sort($out);
        return $out;
    }

    /** @param array{status: int, headers: string, body: string, url: string} $r */
    private static function expect(array $r, string $what): void
    {
        if ($r['status'] >= 400 || $r['status'] === 0) {
            throw new \RuntimeException("modified installer, $what: HTTP {$r['status']} " . substr(strip_tags($r['body']), 0, 400));
        }
    }

    /** POSTs an installer step until its JSON answer says fileEOF; each call posts the last answer back, as its page's script does. */
    private static function untilEof(ShopWeb $web, string $path, string $jar): void
    {
        $post = '';
        for ($i = 0; $i < 400; $i++) {
            $r = $web->request('POST', $path, $post, $jar);
            $answer = json_decode($r['body'], true);
            if (!is_array($answer)) {
                throw new \RuntimeException("modified installer $path: HTTP {$r['status']} " . substr(strip_tags($r['body']), 0, 400));
            }
            if ((int) ($answer['fileEOF'] ?? 0) === 1) {
                return;
            }
            $post = http_build_query($answer);
        }
        throw new \RuntimeException("modified installer $path never reached fileEOF");
    }
}
