<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PDO;

/**
 * Seeds a shop the way the shop itself writes its rows (plain SQL, lax sql_mode, shop-local NOW()), on any of
 * the schemas of Shop::kinds(): a column the schema lacks is left out, a table it lacks is skipped.
 *
 * Every row is written for an owner label ("A", "B", "11", ...). The helper remembers
 *  - the row's key (an integer column) per owner, so snapshot() can read exactly that owner's rows again, and
 *  - the string values written per owner, so onlyIn() can name the values that exist only in one owner's rows.
 */
final class ShopRows
{
    /** @var Shop */
    private $shop;
    /** @var PDO */
    private $pdo;
    /** @var array<string, list<string>> table => its columns */
    private $columns = [];
    /** @var array<string, array<string, array<string, list<int>>>> owner => table => key column => values */
    private $keys = [];
    /** @var array<string, list<string>> owner => string values written */
    private $values = [];

    public function __construct(Shop $shop)
    {
        $this->shop = $shop;
        $this->pdo = $shop->db->pdo;
    }

    /** @return list<string> the columns of the shop table $name (without prefix); [] when the schema lacks it */
    public function columns(string $name): array
    {
        if (!array_key_exists($name, $this->columns)) {
            $q = $this->pdo->prepare('SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION');
            $q->execute([$this->shop->prefix . $name]);
            $this->columns[$name] = $q->fetchAll(PDO::FETCH_COLUMN);
        }
        return $this->columns[$name];
    }

    public function has(string $name): bool
    {
        return $this->columns($name) !== [];
    }

    public function hasColumn(string $name, string $column): bool
    {
        return in_array($column, $this->columns($name), true);
    }

    /** The database's own clock ('Y-m-d H:i:s', shop-local), $days days back. */
    public function daysAgo(float $days): string
    {
        $q = $this->pdo->prepare('SELECT NOW() - INTERVAL ? SECOND');
        $q->execute([(int) round($days * 86400)]);
        return (string) $q->fetchColumn();
    }

    /**
     * Inserts the row's columns that the table has; returns the key ($row[$key], else the auto-increment id),
     * or null when the schema lacks the table. The row is remembered as $owner's by its key column.
     *
     * @param array<string, mixed> $row
     */
    public function insert(string $owner, string $name, array $row, ?string $key = null): ?int
    {
        $columns = $this->columns($name);
        if ($columns === []) {
            return null;
        }
        $row = array_intersect_key($row, array_flip($columns));
        $sql = sprintf('INSERT INTO %s (%s) VALUES (%s)', $this->shop->table($name), implode(', ', array_map(function (string $c): string {
            return "`$c`";
        }, array_keys($row))), implode(', ', array_fill(0, count($row), '?')));
        $this->pdo->prepare($sql)->execute(array_values($row));
        $id = $key !== null && isset($row[$key]) ? (int) $row[$key] : (int) $this->pdo->lastInsertId();
        if ($key !== null) {
            $this->own($owner, $name, $key, $id);
        }
        foreach ($row as $value) {
            if (is_string($value)) {
                $this->values[$owner][] = $value;
            }
        }
        return $id;
    }

    /** Remembers that the rows of $name whose $column is $value are $owner's. */
    public function own(string $owner, string $name, string $column, int $value): void
    {
        if ($this->has($name) && !in_array($value, $this->keys[$owner][$name][$column] ?? [], true)) {
            $this->keys[$owner][$name][$column][] = $value;
        }
    }

    /** @return array<string, array<string, list<int>>> table (without prefix) => key column => the owners' key values */
    public function keys(string ...$owners): array
    {
        $out = [];
        foreach ($owners as $owner) {
            foreach ($this->keys[$owner] ?? [] as $name => $columns) {
                foreach ($columns as $column => $values) {
                    $out[$name][$column] = array_values(array_unique(array_merge($out[$name][$column] ?? [], $values)));
                }
            }
        }
        return $out;
    }

    /**
     * Every row of the owners as it is now, byte for byte: "table.column" => sorted JSON of each row (values that
     * are not UTF-8 as hex). A row that was deleted is missing, a row that was changed differs.
     *
     * @return array<string, list<string>>
     */
    public function snapshot(string ...$owners): array
    {
        $out = [];
        foreach ($this->keys(...$owners) as $name => $columns) {
            foreach ($columns as $column => $values) {
                $q = $this->pdo->prepare(sprintf('SELECT * FROM %s WHERE `%s` IN (%s)', $this->shop->table($name), $column, implode(', ', array_fill(0, count($values), '?'))));
                $q->execute($values);
                $rows = [];
                foreach ($q->fetchAll(PDO::FETCH_ASSOC) as $row) {
                    $rows[] = json_encode(array_map(function ($v) {
                        return is_string($v) && !mb_check_encoding($v, 'UTF-8') ? 'hex:' . bin2hex($v) : $v;
                    }, $row), JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
                }
                sort($rows);
                $out["$name.$column"] = $rows;
            }
        }
        ksort($out);
        return $out;
    }

    /**
     * The string values written for $owners that exist in no row of $others: not equal to and not part of any
     * value written for them. Dates, numbers of up to 7 digits (postcodes) and strings shorter than 5 bytes are
     * left out: they can occur by chance (a timestamp's microseconds, a count).
     *
     * @param list<string> $owners
     * @param list<string> $others
     * @return list<string>
     */
    public function onlyIn(array $owners, array $others): array
    {
        $theirs = [];
        foreach ($others as $other) {
            $theirs = array_merge($theirs, $this->values[$other] ?? []);
        }
        $out = [];
        foreach ($owners as $owner) {
            foreach ($this->values[$owner] ?? [] as $value) {
                if (strlen(trim($value)) < 5 || preg_match('/^\d{4}-\d\d-\d\d|^\d{1,7}$/', $value) === 1) {
                    continue;
                }
                foreach ($theirs as $their) {
                    if (strpos($their, $value) !== false) {
                        continue 2;
                    }
                }
                $out[] = $value;
            }
        }
        return array_values(array_unique($out));
    }

    // ---------------------------------------------------------------------------------------------------
    // The shop's own ways of writing a customer's rows.

    /**
     * A registered account, as create_account.php writes it: customers, its address book entry (set as the
     * default address), customers_info. $p: id, email, first, last, street, postcode, city, phone; optional
     * status (customers_status of modified/xtcModified/Gambio; default 2, a customer), company, created_days_ago.
     *
     * @param array<string, mixed> $p
     */
    public function account(string $owner, array $p): int
    {
        $id = (int) $p['id'];
        $address = $this->insert($owner, 'address_book', [
            'customers_id' => $id,
            'entry_gender' => 'm',
            'entry_company' => $p['company'] ?? '',
            'entry_firstname' => $p['first'],
            'entry_lastname' => $p['last'],
            'entry_street_address' => $p['street'],
            'entry_suburb' => '',
            'entry_postcode' => $p['postcode'],
            'entry_city' => $p['city'],
            'entry_state' => '',
            'entry_country_id' => 81,
            'entry_zone_id' => 0,
            'address_date_added' => $this->daysAgo($p['created_days_ago'] ?? 400),
        ], 'address_book_id');
        $this->insert($owner, 'customers', [
            'customers_id' => $id,
            'customers_cid' => '',
            'customers_status' => $p['status'] ?? 2,
            'customers_gender' => 'm',
            'customers_firstname' => $p['first'],
            'customers_lastname' => $p['last'],
            'customers_dob' => '1979-04-03 00:00:00',
            'customers_email_address' => $p['email'],
            'customers_default_address_id' => $address ?? 0,
            'customers_telephone' => $p['phone'],
            'customers_fax' => '',
            'customers_password' => '$2y$10$' . substr(hash('sha256', 'pw' . $id), 0, 53),
            'customers_newsletter' => '0',
            'account_type' => 0,
            'customers_date_added' => $this->daysAgo($p['created_days_ago'] ?? 400),
        ], 'customers_id');
        $this->insert($owner, 'customers_info', [
            'customers_info_id' => $id,
            'customers_info_date_of_last_logon' => $this->daysAgo(3),
            'customers_info_number_of_logons' => 7,
            'customers_info_date_account_created' => $this->daysAgo($p['created_days_ago'] ?? 400),
            'global_product_notifications' => 0,
        ], 'customers_info_id');
        return $id;
    }

    /**
     * An order as checkout_process.php writes it, with its products, totals and status history. $p as for
     * account(); $customerId 0 for a guest order; $email exactly as typed at checkout.
     *
     * @param array<string, mixed> $p
     * @param array<int, string> $products product id => name
     * @param int $status the order's status id (orders_status)
     */
    public function order(string $owner, int $orderId, int $customerId, string $email, array $p, float $daysAgo, array $products, string $comment = '', int $status = 1): int
    {
        $name = $p['first'] . ' ' . $p['last'];
        $date = $this->daysAgo($daysAgo);
        $address = [];
        foreach (['customers', 'delivery', 'billing'] as $kind) {
            $address += [
                "{$kind}_name" => $name,
                "{$kind}_firstname" => $p['first'],
                "{$kind}_lastname" => $p['last'],
                "{$kind}_company" => $p['company'] ?? '',
                "{$kind}_street_address" => $p['street'],
                "{$kind}_suburb" => '',
                "{$kind}_city" => $p['city'],
                "{$kind}_postcode" => $p['postcode'],
                "{$kind}_state" => '',
                "{$kind}_country" => 'Germany',
                "{$kind}_country_iso_code_2" => 'DE',
                "{$kind}_address_format_id" => 5,
            ];
        }
        $this->insert($owner, 'orders', $address + [
            'orders_id' => $orderId,
            'customers_id' => $customerId,
            'customers_status' => $customerId === 0 ? 1 : 2,
            'customers_telephone' => $p['phone'],
            'customers_email_address' => $email,
            'customers_ip' => $p['ip'] ?? '',
            'payment_method' => 'banktransfer',
            'payment_class' => 'banktransfer',
            'shipping_method' => 'Versandkostenfrei',
            'comments' => $comment,
            'date_purchased' => $date,
            'last_modified' => $date,
            'orders_status' => $status,
            'currency' => 'EUR',
            'currency_value' => 1.0,
            'language' => 'german',
        ], 'orders_id');
        $total = 0.0;
        foreach ($products as $productId => $productName) {
            $this->insert($owner, 'orders_products', [
                'orders_id' => $orderId,
                'products_id' => $productId,
                'products_model' => 'M-' . $productId,
                'products_name' => $productName,
                'products_price' => 24.95,
                'final_price' => 24.95,
                'products_tax' => 19.0,
                'products_quantity' => 1,
            ]);
            $total += 24.95;
        }
        $this->own($owner, 'orders_products', 'orders_id', $orderId);
        $this->insert($owner, 'orders_total', [
            'orders_id' => $orderId,
            'title' => 'Summe:',
            'text' => '<b>' . number_format($total, 2, ',', '.') . ' EUR</b>',
            'value' => $total,
            'class' => 'ot_total',
            'sort_order' => 99,
        ]);
        $this->own($owner, 'orders_total', 'orders_id', $orderId);
        $this->insert($owner, 'orders_status_history', [
            'orders_id' => $orderId,
            'orders_status_id' => $status,
            'date_added' => $date,
            'customer_notified' => 1,
            'comments' => $comment,
        ]);
        $this->own($owner, 'orders_status_history', 'orders_id', $orderId);
        return $orderId;
    }

    /**
     * The shop's order status names, as its admin keeps them: [status id => [language id => name]].
     *
     * @param array<int, array<int, string>> $statuses
     */
    public function statuses(array $statuses): void
    {
        foreach ($statuses as $id => $names) {
            foreach ($names as $language => $name) {
                $this->insert('shop', 'orders_status', ['orders_status_id' => $id, 'language_id' => $language, 'orders_status_name' => $name]);
            }
        }
    }

    /**
     * Categories with their parents and the products in them: [category id => parent id], [product id => [category ids]].
     *
     * @param array<int, int> $tree
     * @param array<int, list<int>> $products
     */
    public function catalog(array $tree, array $products): void
    {
        foreach ($tree as $id => $parent) {
            $this->insert('shop', 'categories', ['categories_id' => $id, 'parent_id' => $parent, 'categories_status' => 1, 'date_added' => $this->daysAgo(900)]);
        }
        foreach ($products as $product => $categories) {
            foreach ($categories as $category) {
                $this->insert('shop', 'products_to_categories', ['products_id' => $product, 'categories_id' => $category]);
            }
        }
    }

    /** A product review with its text (German). */
    public function review(string $owner, int $customerId, string $name, int $productId, string $text): ?int
    {
        $id = $this->insert($owner, 'reviews', [
            'products_id' => $productId,
            'customers_id' => $customerId,
            'customers_name' => $name,
            'reviews_rating' => 5,
            'date_added' => $this->daysAgo(20),
            'reviews_status' => 1,
            'status' => 1,
            'reviews_read' => 3,
        ], 'reviews_id');
        if ($id !== null) {
            $this->insert($owner, 'reviews_description', ['reviews_id' => $id, 'languages_id' => 2, 'reviews_text' => $text]);
            $this->own($owner, 'reviews_description', 'reviews_id', $id);
        }
        return $id;
    }

    /** A confirmed entry of the newsletter list (modified, xtcModified, Gambio, the minimal schema). */
    public function newsletter(string $owner, int $customerId, string $email, string $first, string $last): ?int
    {
        return $this->insert($owner, 'newsletter_recipients', [
            'customers_email_address' => $email,
            'customers_id' => $customerId,
            'customers_status' => $customerId === 0 ? 1 : 2,
            'customers_firstname' => $first,
            'customers_lastname' => $last,
            'mail_status' => 1,
            'mail_key' => md5($owner . $email),
            'date_added' => $this->daysAgo(100),
            'ip_date_added' => '203.0.113.' . (strlen($owner) + 40),
            'date_confirmed' => $this->daysAgo(99),
            'ip_date_confirmed' => '203.0.113.' . (strlen($owner) + 40),
        ], 'mail_id');
    }

    /**
     * A mail the shop sent to an address and kept (Zen Cart's email_archive; Gambio's emails with their
     * email_contacts). Neither table has a customer id column.
     */
    public function sentMail(string $owner, string $to, string $toName, string $subject, string $text): void
    {
        $this->insert($owner, 'email_archive', [
            'email_to_name' => $toName,
            'email_to_address' => $to,
            'email_from_name' => 'Shop',
            'email_from_address' => 'info@shop.example',
            'email_subject' => $subject,
            'email_html' => "<p>$text</p>",
            'email_text' => $text,
            'date_sent' => $this->daysAgo(5),
            'module' => 'checkout',
        ], 'archive_id');
        $emailId = $this->insert($owner, 'emails', [
            'subject' => $subject,
            'content_plain' => $text,
            'content_html' => "<p>$text</p>",
            'is_pending' => 0,
            'creation_date' => $this->daysAgo(5),
            'sent_date' => $this->daysAgo(5),
        ], 'email_id');
        if ($emailId !== null) {
            $this->insert($owner, 'email_contacts', ['email_id' => $emailId, 'email_address' => 'info@shop.example', 'contact_type' => 'sender', 'contact_name' => 'Shop']);
            $this->insert($owner, 'email_contacts', ['email_id' => $emailId, 'email_address' => $to, 'contact_type' => 'recipient', 'contact_name' => $toName]);
            $this->own($owner, 'email_contacts', 'email_id', $emailId);
        }
    }

    /** A coupon the shop owner mailed to an address (coupon_email_track; customer_id_sent 0: sent from the admin). */
    public function couponMail(string $owner, string $to, string $first, string $last): ?int
    {
        return $this->insert($owner, 'coupon_email_track', [
            'coupon_id' => 3,
            'customer_id_sent' => 0,
            'sent_firstname' => $first,
            'sent_lastname' => $last,
            'emailed_to' => $to,
            'date_sent' => $this->daysAgo(30),
        ], 'unique_id');
    }
}
