<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PDO;

/**
 * Fills every shop table of the data map with rows that belong to one customer, the way the map says
 * they are found (customer id, address, or through a parent row). String values are markers such as
 * "A17Q" (subject A, 17th value), so a test can check which rows an export shows.
 */
final class Filler
{
    /** @var PDO */
    private $pdo;
    /** @var list<array<string, mixed>> */
    private $map;
    /** @var int */
    private $counter = 0;

    /** @param list<array<string, mixed>> $map Store::dataMap() */
    public function __construct(PDO $pdo, array $map)
    {
        $this->pdo = $pdo;
        $this->map = $map;
    }

    /** @return list<array{name: string, type: string, length: ?int, extra: string}> */
    private function columns(string $table): array
    {
        $q = $this->pdo->prepare('SELECT COLUMN_NAME AS name, DATA_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS length, EXTRA AS extra
            FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION');
        $q->execute([$table]);
        return $q->fetchAll(PDO::FETCH_ASSOC);
    }

    private function exists(string $table): bool
    {
        $q = $this->pdo->prepare('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?');
        $q->execute([$table]);
        return $q->fetchColumn() !== false;
    }

    /**
     * Inserts one row per shop table for the subject.
     *
     * @return array<string, array{markers: list<string>, secret_markers: list<string>}> table => markers written
     */
    public function fill(string $who, int $customerId, string $email): array
    {
        $written = [];
        $keys = []; // entry id => its inserted row (column => value)
        foreach ($this->map as $entry) {
            if ($entry['owner'] !== 'shop' || !$this->exists($entry['table'])) {
                continue;
            }
            $row = [];
            $markers = $secretMarkers = [];
            foreach ($this->columns($entry['table']) as $column) {
                if (strpos($column['extra'], 'auto_increment') !== false) {
                    continue;
                }
                $row[$column['name']] = $this->value($who, $column, $markers, $secretMarkers, in_array($column['name'], $entry['secrets'], true));
            }
            $find = $entry['find'];
            if (isset($find['via'])) {
                if (!isset($keys[$find['via']])) {
                    continue;
                }
                $row[$find['key']] = $keys[$find['via']][$find['parent_key']];
            } elseif (isset($find['scan'])) {
                // Found by content: write it the way the shop does, naming the customer.
                switch ($find['scan']) {
                    case 'php_session':
                        $row['value'] = base64_encode("language|s:6:\"german\";customer_id|i:$customerId;");
                        break;
                    case 'zencart_admin_log':
                        $row['page_accessed'] = 'customers.php';
                        $row['page_parameters'] = "cID=$customerId&action=edit";
                        $row['gzpost'] = gzdeflate((string) json_encode(['customers_email_address' => $email]), 7);
                        break;
                    case 'log_text':
                        $row['log_entry'] = "mail sent to $email";
                        break;
                }
            } else {
                if ($find['customer_id'] !== null) {
                    $row[$find['customer_id']] = $customerId;
                }
                foreach ($find['emails'] ?? [] as $column) {
                    $row[$column] = $email;
                }
            }
            if ($entry['condition'] === "module <> 'ar_admin_login'") {
                $row['module'] = 'ar_contact_us';
            }
            $columns = array_keys($row);
            $sql = sprintf('INSERT INTO `%s` (%s) VALUES (%s)', $entry['table'], implode(', ', array_map(function ($c) {
                return "`$c`";
            }, $columns)), implode(', ', array_fill(0, count($columns), '?')));
            $this->pdo->prepare($sql)->execute(array_values($row));
            $id = (int) $this->pdo->lastInsertId();
            foreach ($this->columns($entry['table']) as $column) {
                if (strpos($column['extra'], 'auto_increment') !== false) {
                    $row[$column['name']] = $id;
                }
            }
            $keys[$entry['id']] = $row;
            // Markers overwritten by the lookup columns are not in the row any more.
            $values = array_map('strval', array_values($row));
            $written[$entry['table']] = [
                'markers' => array_values(array_intersect($markers, $values)),
                'secret_markers' => array_values(array_intersect($secretMarkers, $values)),
            ];
        }
        return $written;
    }

    /**
     * @param array{name: string, type: string, length: ?int, extra: string} $column
     * @param list<string> $markers
     * @param list<string> $secretMarkers
     * @return int|float|string
     */
    private function value(string $who, array $column, array &$markers, array &$secretMarkers, bool $secret)
    {
        $n = ++$this->counter;
        switch ($column['type']) {
            case 'tinyint':
                return $n % 100;
            case 'smallint':
            case 'mediumint':
            case 'int':
            case 'bigint':
                return ($who === 'A' ? 70000 : 80000) + $n;
            case 'decimal':
            case 'float':
            case 'double':
                return 1.5;
            case 'date':
                return '2024-05-06';
            case 'datetime':
            case 'timestamp':
                return '2024-05-06 07:08:09';
            case 'time':
                return '07:08:09';
            case 'enum':
            case 'set':
                return '';
        }
        $marker = sprintf('%s%dQ', $who, $n);
        if ($column['length'] !== null && strlen($marker) > (int) $column['length']) {
            return substr($who, 0, (int) $column['length']);
        }
        if ($secret) {
            $secretMarkers[] = $marker;
        } else {
            $markers[] = $marker;
        }
        return $marker;
    }
}
