<?php
/**
 * The demo shop: its own database beside the one DSGVO_DSN names, the schema in schema.sql, and a few hundred
 * customers with their orders, generated from a fixed seed so that every run writes the same shop. The rows
 * are written the way an osCommerce shop writes them (plain SQL, lax sql_mode, dates from the database's own
 * clock), untidy the way real shops are: guest orders, customers who changed their address since they
 * ordered, addresses typed in other letter case, cancelled orders, registrations without an order.
 */
declare(strict_types=1);

final class DemoShop
{
    public const SEED = 19;
    public const CUSTOMERS = 300;
    public const GUEST_ORDERS = 20;

    /** The three customers the demo follows by name; everyone else is generated. */
    public const ERIKA = 1;
    public const JONAS = 2;
    public const SABINE = 3;

    /** The § 7(3) campaign's two limits, in days: the generated order dates keep clear of them. */
    public const WINBACK_MAX_AGE_DAYS = 365;
    public const NOTICE_SINCE_DAYS = 200;

    private const FEMALE = ['Anna', 'Birgit', 'Claudia', 'Doris', 'Elke', 'Franziska', 'Gabriele', 'Hannah', 'Ines', 'Julia',
        'Katrin', 'Lena', 'Monika', 'Nadine', 'Petra', 'Renate', 'Sandra', 'Tanja', 'Ute', 'Jördis', 'Sophie', 'Marie'];
    private const MALE = ['Andreas', 'Bernd', 'Christian', 'Dieter', 'Frank', 'Günter', 'Hans', 'Jürgen', 'Klaus', 'Lukas',
        'Markus', 'Norbert', 'Oliver', 'Peter', 'Ralf', 'Stefan', 'Thomas', 'Uwe', 'Wolfgang', 'Yusuf', 'Jan', 'Tim'];
    private const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Schulz', 'Hoffmann',
        'Koch', 'Richter', 'Klein', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hartmann',
        'Lange', 'Werner', 'Krause', 'Lehmann', 'Köhler', 'Maier', 'Yılmaz', 'Nowak', 'Kaiser', 'Fuchs', 'Vogel'];
    private const CITIES = [['10115', 'Berlin'], ['20095', 'Hamburg'], ['80331', 'München'], ['50667', 'Köln'],
        ['60311', 'Frankfurt am Main'], ['70173', 'Stuttgart'], ['04109', 'Leipzig'], ['28195', 'Bremen'],
        ['01067', 'Dresden'], ['30159', 'Hannover'], ['90402', 'Nürnberg'], ['24103', 'Kiel'], ['93047', 'Regensburg']];
    private const STREETS = ['Hauptstraße', 'Schulstraße', 'Gartenweg', 'Bahnhofstraße', 'Lindenallee', 'Am Markt',
        'Kirchgasse', 'Bergstraße', 'Mühlenweg', 'Goethestraße', 'Ringstraße'];
    private const DOMAINS = ['example.org', 'example.com', 'example.net', 'mail.example', 'post.example'];
    /** product id => [model, name, price incl. VAT] */
    private const PRODUCTS = [
        1 => ['TEE-01', 'Darjeeling First Flush 100 g', 8.90], 2 => ['TEE-02', 'Assam Broken 250 g', 6.50],
        3 => ['TEE-03', 'Sencha Uji 100 g', 9.80], 4 => ['TEE-04', 'Earl Grey Blue Flower 100 g', 5.90],
        5 => ['TEE-05', 'Rooibos Vanille 250 g', 7.20], 6 => ['ZUB-01', 'Teekanne Glas 1,2 l', 29.00],
        7 => ['ZUB-02', 'Teesieb Edelstahl', 4.50], 8 => ['ZUB-03', 'Kandis braun 500 g', 3.20],
        9 => ['TEE-06', 'Matcha Ceremonial 30 g', 24.00], 10 => ['ZUB-04', 'Teebecher Steingut', 12.50],
        11 => ['TEE-07', 'Pfefferminze Bio 100 g', 4.90], 12 => ['GES-01', 'Geschenkset Weltreise', 39.00],
    ];
    private const STATUS_PENDING = 1;
    private const STATUS_DELIVERED = 3;
    private const STATUS_CANCELLED = 4;

    /** @var PDO */
    private $pdo;
    /** @var DateTimeImmutable the database's NOW(), the clock the shop writes its dates with */
    private $now;
    /** @var array<string, PDOStatement> */
    private $statements = [];
    /** @var array<string, true> the addresses given out so far */
    private $taken = [];

    /**
     * Every account: id => [first, last, email (current), old_email (the address it ordered with before it
     * changed, or null), newsletter (the shop's old newsletter flag)].
     *
     * @var array<int, array{first: string, last: string, email: string, old_email: ?string, newsletter: bool}>
     */
    public $customers = [];
    /** @var array<string, int> what the generator wrote, for the demo's first lines */
    public $counts = ['customers' => 0, 'orders' => 0, 'guest orders' => 0, 'cancelled' => 0, 'changed address' => 0,
        'typed in other case' => 0, 'never ordered' => 0, 'reviews' => 0];

    /**
     * Drops and creates the database $name on the server of $baseDsn, with the demo schema; returns the
     * mysql:// URL of the new database for Dsgvo\Store (query parameters kept).
     */
    public static function create(string $baseDsn, string $name): array
    {
        $u = parse_url($baseDsn);
        if ($u === false || ($u['scheme'] ?? '') !== 'mysql' || preg_match('/^[A-Za-z0-9_]{1,64}$/', $name) !== 1) {
            throw new InvalidArgumentException('DSGVO_DSN must be a mysql:// URL and the demo database a plain name');
        }
        $pdo = new PDO(
            sprintf('mysql:host=%s;port=%d;charset=utf8mb4', $u['host'] ?? '127.0.0.1', $u['port'] ?? 3306),
            urldecode($u['user'] ?? 'root'),
            urldecode($u['pass'] ?? ''),
            [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]
        );
        $pdo->exec("DROP DATABASE IF EXISTS `$name`");
        $pdo->exec("CREATE DATABASE `$name` CHARACTER SET utf8mb4");
        $pdo->exec("USE `$name`");
        // The shops write with a lax sql_mode (zero dates, silent truncation); so does the demo.
        $pdo->exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
        $schema = (string) preg_replace('/^--.*$/m', '', (string) file_get_contents(__DIR__ . '/schema.sql'));
        foreach (preg_split('/;\s*$/m', $schema) ?: [] as $statement) {
            if (trim($statement) !== '') {
                $pdo->exec($statement);
            }
        }
        $dsn = preg_replace('~^(mysql://[^/?]+)(/[^?]*)?~', '$1/' . $name, $baseDsn);
        return [new self($pdo), (string) $dsn];
    }

    private function __construct(PDO $pdo)
    {
        $this->pdo = $pdo;
        $this->now = new DateTimeImmutable((string) $pdo->query('SELECT NOW()')->fetchColumn(), new DateTimeZone('UTC'));
    }

    /** The connection to the shop's database, for writing more rows the way the shop does. */
    public function pdo(): PDO
    {
        return $this->pdo;
    }

    /** Shop-local time $days days before the database's NOW(), as the shop writes it. */
    public function ago(float $days): string
    {
        return $this->now->modify(sprintf('-%d seconds', (int) round($days * 86400)))->format('Y-m-d H:i:s');
    }

    /** The shop-local date $days days ago ('YYYY-MM-DD'), for notice_since. */
    public function dateAgo(int $days): string
    {
        return substr($this->ago($days), 0, 10);
    }

    public function name(int $id): string
    {
        return $this->customers[$id]['first'] . ' ' . $this->customers[$id]['last'];
    }

    /** Fills the shop: the three named customers, then the generated ones, their orders in date order. */
    public function fill(): void
    {
        mt_srand(self::SEED);
        $this->pdo->beginTransaction();
        foreach (['1' => ['Offen', 'Pending'], '3' => ['Versendet', 'Delivered'], '4' => ['Storniert', 'Cancelled']] as $status => $names) {
            foreach ($names as $i => $label) {
                $this->insert('orders_status', ['orders_status_id' => $status, 'language_id' => $i + 1, 'orders_status_name' => $label]);
            }
        }
        $orders = [];
        // Erika registered last year and ordered once; she subscribes to the newsletter today (double opt-in).
        $this->account(self::ERIKA, 'Erika', 'Mustermann', 'erika.mustermann@example.org', ['10115', 'Berlin'], 'Unter den Linden 5', 420, false);
        $orders[] = $this->order(self::ERIKA, 'erika.mustermann@example.org', 40, [1 => 2, 7 => 1]);
        // Jonas ticked the old newsletter box at registration; he unsubscribes from today's newsletter.
        $this->account(self::JONAS, 'Jonas', 'Becker', 'jonas.becker@example.com', ['80331', 'München'], 'Sendlinger Straße 12', 800, true);
        $orders[] = $this->order(self::JONAS, 'jonas.becker@example.com', 300, [3 => 1]);
        $orders[] = $this->order(self::JONAS, 'Jonas.Becker@example.com', 60, [9 => 1, 10 => 2]);
        // Sabine first bought as a guest, then registered with that address, changed it, ordered, cancelled
        // once, wrote a review and left something in her basket. She asks for her data, then for erasure.
        $this->account(self::SABINE, 'Sabine', 'Wolf', 'sabine.wolf@example.net', ['04109', 'Leipzig'], 'Karl-Liebknecht-Straße 20', 900, false, 'sabine.w@oldmail.example');
        $this->insert('address_book', $this->addressRow(self::SABINE, 'Sabine', 'Wolf', 'Gohliser Straße 3', ['04155', 'Leipzig']));
        $orders[] = $this->order(0, 'sabine.w@oldmail.example', 950, [5 => 1], 'Sabine Wolf');
        $orders[] = $this->order(self::SABINE, 'sabine.w@oldmail.example', 700, [2 => 2, 8 => 1]);
        $orders[] = $this->order(self::SABINE, 'sabine.wolf@example.net', 120, [12 => 1]);
        $orders[] = $this->order(self::SABINE, 'sabine.wolf@example.net', 90, [6 => 1], null, true);
        $this->review(self::SABINE, 12, 'Tolles Geschenk, meine Schwester in Leipzig hat sich sehr gefreut.', 110);
        $this->insert('customers_basket', ['customers_id' => self::SABINE, 'products_id' => '4', 'customers_basket_quantity' => 1, 'customers_basket_date_added' => str_replace('-', '', $this->dateAgo(2))]);

        for ($id = 4; $id <= self::CUSTOMERS; $id++) {
            $orders = array_merge($orders, $this->generated($id));
        }
        for ($i = 0; $i < self::GUEST_ORDERS; $i++) {
            [$first, $last] = $this->someone();
            $orders[] = $this->order(0, $this->address($first, $last), $this->orderAge(1000), $this->basket(), "$first $last");
        }
        // Shops number orders as they come in: write them oldest first.
        usort($orders, function (array $a, array $b): int {
            return $b['days'] <=> $a['days'];
        });
        foreach ($orders as $order) {
            $this->writeOrder($order);
        }
        $this->pdo->commit();
    }

    /** A new account, as create_account.php writes it (address book, customer, info); returns its id. */
    public function register(string $first, string $last, string $email): int
    {
        $id = (int) $this->pdo->query('SELECT MAX(customers_id) FROM customers')->fetchColumn() + 1;
        $this->account($id, $first, $last, $email, self::CITIES[0], self::STREETS[0] . ' 1', 0, false);
        return $id;
    }

    /** @return list<array<string, mixed>> the orders of generated customer $id */
    private function generated(int $id): array
    {
        [$first, $last] = $this->someone();
        $email = $this->address($first, $last);
        $age = mt_rand(20, 1100);
        // Every 12th customer changed the account's address after ordering: the orders carry the old one.
        $old = $id % 12 === 5 ? $this->address($first, $last, 'alt') : null;
        $this->account($id, $first, $last, $email, self::CITIES[mt_rand(0, count(self::CITIES) - 1)],
            self::STREETS[mt_rand(0, count(self::STREETS) - 1)] . ' ' . mt_rand(1, 120), $age, mt_rand(1, 100) <= 22, $old);
        $n = [0, 1, 1, 1, 2, 2, 3, 4][mt_rand(0, 7)];
        $this->counts['never ordered'] += $n === 0 ? 1 : 0;
        $orders = [];
        for ($i = 0; $i < $n; $i++) {
            $typed = $old ?? $email;
            if ($old === null && mt_rand(1, 10) === 1) {
                // Typed at checkout in other letter case and with a stray space: still the same address.
                $typed = ucwords($email, '.@') . ' ';
                $this->counts['typed in other case']++;
            }
            $orders[] = $order = $this->order($id, $typed, $this->orderAge(min($age, 1000)), $this->basket(), null, mt_rand(1, 100) <= 6);
            if (mt_rand(1, 100) <= 8) {
                $this->review($id, (int) array_key_first($order['products']), 'Schnelle Lieferung, gerne wieder.', $order['days'] - 5);
            }
        }
        if (mt_rand(1, 100) <= 5) {
            $this->insert('customers_basket', ['customers_id' => $id, 'products_id' => (string) mt_rand(1, 12), 'customers_basket_quantity' => 1, 'customers_basket_date_added' => str_replace('-', '', $this->dateAgo(mt_rand(1, 30)))]);
        }
        return $orders;
    }

    /** @return array{0: string, 1: string} */
    private function someone(): array
    {
        $names = mt_rand(0, 1) === 1 ? self::FEMALE : self::MALE;
        return [$names[mt_rand(0, count($names) - 1)], self::LAST[mt_rand(0, count(self::LAST) - 1)]];
    }

    /** A new address for the person, as shops see them: transliterated, sometimes with a number. */
    private function address(string $first, string $last, string $suffix = ''): string
    {
        $local = strtolower(strtr("$first.$last", ['ä' => 'ae', 'ö' => 'oe', 'ü' => 'ue', 'Ä' => 'ae', 'Ö' => 'oe', 'Ü' => 'ue', 'ß' => 'ss', 'ı' => 'i']));
        do {
            $email = $local . $suffix . (mt_rand(0, 2) === 0 ? (string) mt_rand(1, 99) : '') . '@' . self::DOMAINS[mt_rand(0, count(self::DOMAINS) - 1)];
        } while (isset($this->taken[$email]));
        $this->taken[$email] = true;
        return $email;
    }

    /**
     * An order's age in days, at most $max, half a day off the whole days and clear of the campaign's two limits,
     * so that the demo's counts come out the same at any hour it runs.
     */
    private function orderAge(int $max): float
    {
        do {
            $days = mt_rand(3, max(3, $max));
        } while (abs($days - self::WINBACK_MAX_AGE_DAYS) <= 1 || abs($days - self::NOTICE_SINCE_DAYS) <= 1);
        return $days + 0.5;
    }

    /** @return array<int, int> product id => quantity */
    private function basket(): array
    {
        $items = [];
        for ($i = mt_rand(1, 3); $i > 0; $i--) {
            $items[mt_rand(1, count(self::PRODUCTS))] = mt_rand(1, 3);
        }
        return $items;
    }

    /** @param array{0: string, 1: string} $city */
    private function account(int $id, string $first, string $last, string $email, array $city, string $street, int $ageDays, bool $newsletter, ?string $oldEmail = null): void
    {
        $this->insert('address_book', $this->addressRow($id, $first, $last, $street, $city));
        $this->insert('customers', [
            'customers_id' => $id,
            'customers_gender' => in_array($first, self::FEMALE, true) || $id === self::ERIKA || $id === self::SABINE ? 'f' : 'm',
            'customers_firstname' => $first,
            'customers_lastname' => $last,
            'customers_dob' => sprintf('19%02d-%02d-%02d 00:00:00', mt_rand(50, 99), mt_rand(1, 12), mt_rand(1, 28)),
            'customers_email_address' => $email,
            'customers_default_address_id' => (int) $this->pdo->lastInsertId(),
            'customers_telephone' => sprintf('0%d %d', mt_rand(30, 9999), mt_rand(100000, 9999999)),
            'customers_password' => password_hash("demo-$id", PASSWORD_BCRYPT, ['cost' => 4]),
            'customers_newsletter' => $newsletter ? '1' : '0',
        ]);
        $this->insert('customers_info', [
            'customers_info_id' => $id,
            'customers_info_date_of_last_logon' => $this->ago(mt_rand(0, min(200, $ageDays))),
            'customers_info_number_of_logons' => mt_rand(1, 40),
            'customers_info_date_account_created' => $this->ago($ageDays),
            'customers_info_date_account_last_modified' => $oldEmail !== null ? $this->ago(mt_rand(2, 15)) : null,
        ]);
        $this->customers[$id] = ['first' => $first, 'last' => $last, 'email' => $email, 'old_email' => $oldEmail, 'newsletter' => $newsletter];
        $this->counts['customers']++;
        $this->counts['changed address'] += $oldEmail !== null ? 1 : 0;
    }

    /**
     * @param array{0: string, 1: string} $city
     * @return array<string, mixed>
     */
    private function addressRow(int $id, string $first, string $last, string $street, array $city): array
    {
        return ['customers_id' => $id, 'entry_gender' => '', 'entry_firstname' => $first, 'entry_lastname' => $last,
            'entry_street_address' => $street, 'entry_postcode' => $city[0], 'entry_city' => $city[1], 'entry_country_id' => 81];
    }

    /**
     * An order to write later (orders are numbered by date): the account's (0: a guest's), typed with $email.
     *
     * @param array<int, int> $products product id => quantity
     * @return array<string, mixed>
     */
    private function order(int $customerId, string $email, float $days, array $products, ?string $name = null, bool $cancelled = false): array
    {
        $this->counts[$customerId === 0 ? 'guest orders' : 'orders']++;
        $this->counts['cancelled'] += $cancelled ? 1 : 0;
        $city = self::CITIES[mt_rand(0, count(self::CITIES) - 1)];
        return ['customer' => $customerId, 'email' => $email, 'days' => $days, 'products' => $products, 'cancelled' => $cancelled,
            'name' => $name ?? $this->name($customerId), 'street' => self::STREETS[mt_rand(0, count(self::STREETS) - 1)] . ' ' . mt_rand(1, 99),
            'city' => $city];
    }

    /** @param array<string, mixed> $o */
    private function writeOrder(array $o): void
    {
        $date = $this->ago($o['days']);
        $status = $o['cancelled'] ? self::STATUS_CANCELLED : ($o['days'] > 3 ? self::STATUS_DELIVERED : self::STATUS_PENDING);
        $address = [];
        foreach (['customers', 'delivery', 'billing'] as $kind) {
            $address += ["{$kind}_name" => $o['name'], "{$kind}_street_address" => $o['street'], "{$kind}_city" => $o['city'][1],
                "{$kind}_postcode" => $o['city'][0], "{$kind}_country" => 'Deutschland'];
        }
        $this->insert('orders', $address + [
            'customers_id' => $o['customer'],
            'customers_telephone' => '',
            'customers_email_address' => $o['email'],
            'payment_method' => ['Vorkasse', 'PayPal', 'Rechnung'][mt_rand(0, 2)],
            'date_purchased' => $date,
            'last_modified' => $date,
            'orders_status' => $status,
            'currency' => 'EUR',
            'currency_value' => 1.0,
        ]);
        $orderId = (int) $this->pdo->lastInsertId();
        $sum = 0.0;
        foreach ($o['products'] as $productId => $quantity) {
            [$model, $name, $price] = self::PRODUCTS[$productId];
            $this->insert('orders_products', ['orders_id' => $orderId, 'products_id' => $productId, 'products_model' => $model,
                'products_name' => $name, 'products_price' => $price, 'final_price' => $price, 'products_tax' => 7.0, 'products_quantity' => $quantity]);
            $sum += $price * $quantity;
        }
        $shipping = $sum >= 40 ? 0.0 : 4.90;
        foreach ([['Zwischensumme:', $sum, 'ot_subtotal', 1], ['Versand:', $shipping, 'ot_shipping', 2], ['Summe:', $sum + $shipping, 'ot_total', 4]] as [$title, $value, $class, $sort]) {
            $this->insert('orders_total', ['orders_id' => $orderId, 'title' => $title, 'text' => number_format($value, 2, ',', '.') . ' EUR',
                'value' => $value, 'class' => $class, 'sort_order' => $sort]);
        }
        $this->insert('orders_status_history', ['orders_id' => $orderId, 'orders_status_id' => self::STATUS_PENDING, 'date_added' => $date, 'customer_notified' => 1, 'comments' => '']);
        if ($status !== self::STATUS_PENDING) {
            $this->insert('orders_status_history', ['orders_id' => $orderId, 'orders_status_id' => $status, 'date_added' => $this->ago($o['days'] - 1),
                'customer_notified' => 1, 'comments' => $o['cancelled'] ? 'Storniert auf Wunsch des Kunden.' : 'Sendung ist unterwegs.']);
        }
    }

    private function review(int $customerId, int $productId, string $text, float $days): void
    {
        $this->insert('reviews', ['products_id' => $productId, 'customers_id' => $customerId, 'customers_name' => $this->name($customerId),
            'reviews_rating' => mt_rand(4, 5), 'date_added' => $this->ago(max(1, $days)), 'reviews_status' => 1]);
        $this->insert('reviews_description', ['reviews_id' => (int) $this->pdo->lastInsertId(), 'languages_id' => 2, 'reviews_text' => $text]);
        $this->counts['reviews']++;
    }

    /** @param array<string, mixed> $row */
    private function insert(string $table, array $row): void
    {
        $sql = sprintf('INSERT INTO `%s` (`%s`) VALUES (%s)', $table, implode('`, `', array_keys($row)), implode(', ', array_fill(0, count($row), '?')));
        $this->statements[$sql] = $this->statements[$sql] ?? $this->pdo->prepare($sql);
        $this->statements[$sql]->execute(array_values($row));
    }
}
