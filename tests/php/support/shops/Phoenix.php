<?php
declare(strict_types=1);

namespace Dsgvo\Tests\Shops;

use PDO;

require_once __DIR__ . '/ShopFixtures.php';

/**
 * CE Phoenix 1.0.7.18 installed for real from ../shared/fixtures/shops/ce-phoenix-1.0.7.18 by its own web
 * installer (dbCheck, dbImport with the sample data, step 4: the sequence of the fixtures' README), with the
 * admin folder renamed by the installer. Phoenix ships no nginx template (only Apache .htaccess files), so
 * nginx hands every .php file to PHP, as its .htaccess-less default does. Phoenix's own PHP 8.2 deprecation
 * notices go to the pools' error log, not to the test output.
 */
final class Phoenix
{
    public const ADMIN_DIR = 'e2eadmin';
    public const ADMIN_USER = 'e2eadmin';
    public const ADMIN_PASSWORD = 'Admin-Pass-2026!';
    public const STORE_EMAIL = 'shop@shop.example';

    /** @var ShopWeb */
    public $web;
    /** @var string */
    public $dbName;
    /** @var PDO */
    public $pdo;

    public static function source(): ?string
    {
        return ShopFixtures::source('ce-phoenix-1.0.7.18');
    }

    /**
     * @param array<string, string> $ini dsgvo.* values for FPM (dsn and shop are added here)
     * @param array{host: string, port: int, user: string, pass: string} $db
     */
    public static function install(ShopWeb $web, string $dbName, array $db, string $dsn, array $ini): self
    {
        $shop = new self();
        $shop->web = $web;
        $shop->dbName = $dbName;
        $source = self::source();
        if ($source === null) {
            throw new \RuntimeException('CE Phoenix sources not found');
        }
        $web->copyTree($source);
        $ini += ['dsgvo.dsn' => $dsn, 'dsgvo.shop' => 'oscommerce'];
        $web->start($ini, ShopWeb::plainPhpServer());

        $dbFields = ['server' => $db['host'] . ':' . $db['port'], 'username' => $db['user'], 'password' => $db['pass'], 'name' => $dbName];
        foreach (['dbCheck' => [], 'dbImport' => ['importsample' => '1']] as $action => $extra) {
            $r = $web->request('GET', 'install/rpc.php?' . http_build_query(['action' => $action] + $dbFields + $extra), null, 'installer');
            if ($r['status'] !== 200 || strpos($r['body'], '[[1') !== 0) {
                throw new \RuntimeException("Phoenix installer $action failed: HTTP {$r['status']} " . substr($r['body'], 0, 600));
            }
        }
        $r = $web->request('POST', 'install/install.php?step=4', [
            'DB_SERVER' => $dbFields['server'], 'DB_SERVER_USERNAME' => $db['user'], 'DB_SERVER_PASSWORD' => $db['pass'],
            'DB_DATABASE' => $dbName, 'HTTP_WWW_ADDRESS' => $web->base . '/', 'DIR_FS_DOCUMENT_ROOT' => $web->docroot . '/',
            'CFG_STORE_NAME' => 'E2E Teeladen', 'CFG_STORE_OWNER_NAME' => 'E2E Teeladen', 'CFG_STORE_OWNER_EMAIL_ADDRESS' => self::STORE_EMAIL,
            'CFG_ADMINISTRATOR_USERNAME' => self::ADMIN_USER, 'CFG_ADMINISTRATOR_PASSWORD' => self::ADMIN_PASSWORD,
            'CFG_ADMIN_DIRECTORY' => self::ADMIN_DIR, 'CFG_TIME_ZONE' => 'Europe/Berlin',
        ], 'installer');
        if ($r['status'] !== 200 || !is_dir($web->docroot . '/' . self::ADMIN_DIR)) {
            throw new \RuntimeException("Phoenix installer step 4: HTTP {$r['status']} " . substr(strip_tags($r['body']), 0, 600));
        }
        // The admin warns while install/ exists; the README says to delete it.
        ShopWeb::remove($web->docroot . '/install');

        $shop->pdo = new PDO(sprintf('mysql:host=%s;port=%d;dbname=%s;charset=utf8mb4', $db['host'], $db['port'], $dbName),
            $db['user'], $db['pass'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        $update = $shop->pdo->prepare('UPDATE configuration SET configuration_value = ? WHERE configuration_key = ?');
        foreach (['SEND_EMAILS' => 'true', 'EMAIL_USE_HTML' => 'false', 'SEND_EXTRA_ORDER_EMAILS_TO' => ''] as $key => $value) {
            $update->execute([$value, $key]);
        }
        return $shop;
    }

    public function customerId(string $email): int
    {
        $q = $this->pdo->prepare('SELECT customers_id FROM customers WHERE customers_email_address = ? COLLATE utf8mb4_bin');
        $q->execute([$email]);
        return (int) $q->fetchColumn();
    }

    public function newsletterFlag(int $customerId): int
    {
        $q = $this->pdo->prepare('SELECT customers_newsletter FROM customers WHERE customers_id = ?');
        $q->execute([$customerId]);
        return (int) $q->fetchColumn();
    }

    /** @return array<string, list<string>> every row of every table as text */
    public function dump(): array
    {
        return ShopFixtures::dump($this->pdo);
    }

    /** @return list<string> every file of the shop tree, relative, with its hash: the uninstall must restore it */
    public function files(): array
    {
        $out = [];
        $root = $this->web->docroot;
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST);
        foreach ($it as $file) {
            $rel = substr($file->getPathname(), strlen($root) + 1);
            if (strpos($rel, 'includes/work/') === 0 || strpos($rel, 'images/') === 0) {
                continue; // the shop's own cache and uploads
            }
            $out[] = $rel . ($file->isFile() ? ' ' . md5_file($file->getPathname()) : '/');
        }
        sort($out);
        return $out;
    }
}
