<?php
// Exit 0 when a MySQL/MariaDB server answers at the mysql:// URL given as argument (used by scripts/setup
// before the extension is built, so it uses PDO).
$u = parse_url($argv[1] ?? '');
if (!$u || ($u['scheme'] ?? '') !== 'mysql') { fwrite(STDERR, "not a mysql:// URL\n"); exit(2); }
$db = ltrim($u['path'] ?? '', '/');
$dsn = sprintf('mysql:host=%s;port=%d', $u['host'] ?? '127.0.0.1', $u['port'] ?? 3306);
try {
    $pdo = new PDO($dsn, urldecode($u['user'] ?? 'root'), urldecode($u['pass'] ?? ''), [PDO::ATTR_TIMEOUT => 2, PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    if ($db !== '') { $pdo->exec('CREATE DATABASE IF NOT EXISTS `' . str_replace('`', '``', urldecode($db)) . '`'); }
    exit(0);
} catch (Throwable $e) { fwrite(STDERR, $e->getMessage() . "\n"); exit(1); }
