<?php
declare(strict_types=1);

namespace Dsgvo\Tests\Shops;

use PDO;

require_once __DIR__ . '/ShopFixtures.php';

/**
 * Zen Cart 2.2.2 installed for real from ../shared/fixtures/shops/zencart-2.2.2 by its own web installer
 * (the POST sequence of the fixtures' README), with the table prefix zen_: the prefixed install is the one
 * where a forgotten shop_table_prefix shows at once, so it proves more than the unprefixed one.
 * After the install, nginx is restarted with the server template the installer itself wrote
 * (zc_install/includes/nginx_conf/zencart_ngx_server.conf): it serves only a fixed list of root PHP files.
 */
final class ZenCart
{
    public const PREFIX = 'zen_';
    public const ADMIN_DIR = 'e2eadmin';
    public const ADMIN_USER = 'e2eadmin';
    public const ADMIN_EMAIL = 'admin@shop.example';
    public const STORE_EMAIL = 'shop@shop.example';

    /** @var ShopWeb */
    public $web;
    /** @var string */
    public $dbName;
    /** @var PDO */
    public $pdo;
    /** @var string the admin's password (the installer makes it) */
    public $adminPassword = '';

    public static function source(): ?string
    {
        return ShopFixtures::source('zencart-2.2.2');
    }

    /**
     * @param array<string, string> $ini dsgvo.* values for FPM (dsn and shop settings are added here)
     * @param array{host: string, port: int, user: string, pass: string} $db
     */
    public static function install(ShopWeb $web, string $dbName, array $db, string $dsn, array $ini): self
    {
        $shop = new self();
        $shop->web = $web;
        $shop->dbName = $dbName;
        $source = self::source();
        if ($source === null) {
            throw new \RuntimeException('Zen Cart sources not found');
        }
        $web->copyTree($source);
        // The installer keeps an admin folder renamed before it runs (README: verified with "fxadmin").
        rename($web->docroot . '/admin', $web->docroot . '/' . self::ADMIN_DIR);
        $ini += ['dsgvo.dsn' => $dsn, 'dsgvo.shop' => 'zencart', 'dsgvo.shop_table_prefix' => self::PREFIX];
        $web->start($ini, ShopWeb::plainPhpServer());

        $base = $web->base;
        $fields = [
            'agreeLicense' => 'agree', 'physical_path' => $web->docroot,
            'http_server_catalog' => $base, 'http_url_catalog' => "$base/", 'https_server_catalog' => $base,
            'https_url_catalog' => "$base/", 'http_server_admin' => $base, 'enable_ssl_catalog' => 'true',
            'dir_ws_http_catalog' => '/', 'dir_ws_https_catalog' => '/',
            'db_host' => $db['host'] . ':' . $db['port'], 'db_user' => $db['user'], 'db_password' => $db['pass'],
            'db_name' => $dbName, 'db_charset' => 'utf8mb4', 'db_prefix' => self::PREFIX, 'db_type' => 'mysql',
            'sql_cache_method' => 'none', 'demoData' => 'on', 'adminDir' => self::ADMIN_DIR,
            'changedDir' => '0', 'adminNewDir' => self::ADMIN_DIR, 'installer_method' => 'web',
            'admin_user' => self::ADMIN_USER, 'admin_email' => self::ADMIN_EMAIL, 'admin_email2' => self::ADMIN_EMAIL,
        ];
        $steps = ['zc_install/ajaxTestSystemSetup.php', 'zc_install/ajaxTestDBConnection.php', 'zc_install/ajaxLoadMainSql.php',
            'zc_install/ajaxAdminSetup.php'];
        foreach ($steps as $step) {
            $r = $web->request('POST', $step, $fields, 'installer');
            $answer = json_decode($r['body'], true);
            if ($r['status'] !== 200 || !is_array($answer) || (isset($answer['error']) && $answer['error'] === true)) {
                throw new \RuntimeException("Zen Cart installer step $step failed: HTTP {$r['status']} " . substr($r['body'], 0, 600));
            }
        }
        $r = $web->request('POST', 'zc_install/index.php?main_page=admin_setup', $fields, 'installer');
        if (!preg_match('/name="admin_password"[^>]*\svalue="([^"]+)"/', $r['body'], $m)) {
            file_put_contents($web->dir . "/admin_setup.html", $r["body"]);
            throw new \RuntimeException("the installer did not show the admin password (page in {$web->dir}/admin_setup.html)");
        }
        $shop->adminPassword = html_entity_decode($m[1], ENT_QUOTES);
        $r = $web->request('POST', 'zc_install/index.php?main_page=completion', $fields + [
            'admin_password' => $shop->adminPassword, 'admin_directory' => self::ADMIN_DIR,
        ], 'installer');
        if ($r['status'] !== 200) {
            throw new \RuntimeException("installer completion: HTTP {$r['status']}");
        }
        $template = $web->docroot . '/zc_install/includes/nginx_conf/zencart_ngx_server.conf';
        if (!is_file($template)) {
            throw new \RuntimeException('the installer wrote no nginx template');
        }
        // The shop's own template, with its FPM address pointed at ours; then the installer goes (the admin
        // shows only an alert while zc_install/ exists).
        $server = str_replace('127.0.0.1:9000', '{php}', (string) file_get_contents($template));
        ShopWeb::remove($web->docroot . '/zc_install');
        $web->restartNginx($server);

        $shop->pdo = new PDO(sprintf('mysql:host=%s;port=%d;dbname=%s;charset=utf8mb4', $db['host'], $db['port'], $dbName),
            $db['user'], $db['pass'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        // Mail: PHP's mail() (Zen Cart's default transport "PHP"), a valid sender (the installer's
        // YOUR_EMAIL@host is refused), HTML mail so the notice's HTML part is seen too.
        $config = ['EMAIL_TRANSPORT' => 'PHP', 'STORE_OWNER_EMAIL_ADDRESS' => self::STORE_EMAIL, 'EMAIL_FROM' => self::STORE_EMAIL,
            'SEND_EXTRA_CREATE_ACCOUNT_EMAILS_TO' => '', 'SEND_EXTRA_ORDER_EMAILS_TO' => '', 'EMAIL_USE_HTML' => 'true',
            'SEND_EMAILS' => 'true'];
        $update = $shop->pdo->prepare('UPDATE ' . self::PREFIX . 'configuration SET configuration_value = ? WHERE configuration_key = ?');
        foreach ($config as $key => $value) {
            $update->execute([$value, $key]);
        }
        return $shop;
    }

    public function table(string $name): string
    {
        return self::PREFIX . $name;
    }

    public function customerId(string $email): int
    {
        $q = $this->pdo->prepare('SELECT customers_id FROM ' . $this->table('customers') . ' WHERE customers_email_address = ? COLLATE utf8mb4_bin');
        $q->execute([$email]);
        return (int) $q->fetchColumn();
    }

    public function newsletterFlag(int $customerId): int
    {
        $q = $this->pdo->prepare('SELECT customers_newsletter FROM ' . $this->table('customers') . ' WHERE customers_id = ?');
        $q->execute([$customerId]);
        return (int) $q->fetchColumn();
    }

    /** Every row of every table as text: for the scan after the erasure. @return array<string, list<string>> */
    public function dump(): array
    {
        return ShopFixtures::dump($this->pdo);
    }
}
