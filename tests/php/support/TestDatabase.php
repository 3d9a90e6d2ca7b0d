<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PDO;

/**
 * A private database for one test on the server named by DSGVO_DSN
 * (default mysql://root@127.0.0.1:3306/test); dropped again by drop().
 */
final class TestDatabase
{
    public const DEFAULT_DSN = 'mysql://root@127.0.0.1:3306/test';

    /** @var int */
    private static $counter = 0;

    /** @var string */
    public $name;
    /** @var string the mysql:// URL of this database, for Dsgvo\Store */
    public $dsn;
    /** @var PDO connected to this database */
    public $pdo;

    public static function baseDsn(): string
    {
        $dsn = getenv('DSGVO_DSN');
        return is_string($dsn) && $dsn !== '' ? $dsn : self::DEFAULT_DSN;
    }

    /** @return array{host: string, port: int, user: string, pass: string, db: string} */
    public static function parts(string $url): array
    {
        $u = parse_url($url);
        if ($u === false || ($u['scheme'] ?? '') !== 'mysql') {
            throw new \InvalidArgumentException('DSGVO_DSN is not a mysql:// URL');
        }
        return [
            'host' => $u['host'] ?? '127.0.0.1',
            'port' => (int) ($u['port'] ?? 3306),
            'user' => urldecode($u['user'] ?? 'root'),
            'pass' => urldecode($u['pass'] ?? ''),
            'db' => ltrim($u['path'] ?? '', '/'),
        ];
    }

    public static function pdo(?string $database = null): PDO
    {
        $p = self::parts(self::baseDsn());
        $dsn = sprintf('mysql:host=%s;port=%d;charset=utf8mb4', $p['host'], $p['port']);
        if ($database !== null) {
            $dsn .= ';dbname=' . $database;
        }
        return new PDO($dsn, $p['user'], $p['pass'], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    }

    public static function create(string $label): self
    {
        $db = new self();
        $db->name = sprintf('dsgvo_php_%s_%d_%d', $label, getmypid(), self::$counter++);
        $admin = self::pdo();
        $admin->exec("DROP DATABASE IF EXISTS `{$db->name}`");
        $admin->exec("CREATE DATABASE `{$db->name}` CHARACTER SET utf8mb4");
        $db->pdo = self::pdo($db->name);
        $db->dsn = self::withDatabase(self::baseDsn(), $db->name);
        return $db;
    }

    /** The URL with another database name, query string kept. */
    public static function withDatabase(string $url, string $database): string
    {
        [$base, $query] = array_pad(explode('?', $url, 2), 2, null);
        $schemeEnd = strpos($base, '://') + 3;
        $slash = strpos($base, '/', $schemeEnd);
        $authority = $slash === false ? $base : substr($base, 0, $slash);
        return $authority . '/' . $database . ($query !== null ? '?' . $query : '');
    }

    /** @return list<string> */
    public function tables(): array
    {
        return $this->pdo->query('SHOW TABLES')->fetchAll(PDO::FETCH_COLUMN);
    }

    public function drop(): void
    {
        $this->pdo = null;
        self::pdo()->exec("DROP DATABASE IF EXISTS `{$this->name}`");
    }
}
