<?php
/**
 * Demo data for the admin page (command line only; do not copy this folder into a shop):
 *
 *   export DSGVO_SECRET=$(php -r 'echo bin2hex(random_bytes(32));')
 *   php -d extension=target/release/libdsgvo.so examples/admin/demo/seed.php
 *
 * Creates (again) the database dsgvo_admin_demo beside the one DSGVO_DSN names (default
 * mysql://root@127.0.0.1:3306/test) with the demo's osCommerce-style shop schema, and two customers with consents,
 * objections, an order, sends and tags. Prints the command that serves the admin page on it.
 */
declare(strict_types=1);

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    return;
}
if (!extension_loaded('dsgvo')) {
    fwrite(STDERR, "Load the extension: php -d extension=\$PWD/target/release/libdsgvo.so examples/admin/demo/seed.php\n");
    exit(1);
}
$secret = getenv('DSGVO_SECRET');
if (!is_string($secret) || strlen($secret) < 32) {
    fwrite(STDERR, "Set DSGVO_SECRET (at least 32 random bytes as 64 hex characters) first: export DSGVO_SECRET=\$(php -r 'echo bin2hex(random_bytes(32));')\n");
    exit(1);
}

// The demo's shop schema (examples/demo/schema.sql), empty: the two customers below are all there is.
require dirname(__DIR__, 2) . '/demo/shop.php';
[$shop, $dsn] = DemoShop::create(getenv('DSGVO_DSN') ?: 'mysql://root@127.0.0.1:3306/test', 'dsgvo_admin_demo');
$pdo = $shop->pdo();

$store = new Dsgvo\Store(['dsn' => $dsn, 'shop' => 'oscommerce', 'secret' => $secret]);
$store->migrate();
$store->defineEmailType('newsletter', 'consent');
$store->defineEmailType('winback', 'existing_customer', ['max_age_days' => 365, 'notice_since' => '2020-01-01']);
$store->defineEmailType('review.request', 'consent', ['min_interval_days' => 30]);
$store->defineEmailType('order.confirmation', 'transactional');

$customer = $pdo->prepare('INSERT INTO customers (customers_firstname, customers_lastname, customers_email_address) VALUES (?, ?, ?)');
$order = $pdo->prepare('INSERT INTO orders (customers_id, customers_name, customers_email_address, date_purchased) VALUES (?, ?, ?, NOW() - INTERVAL ? DAY)');
$line = $pdo->prepare("INSERT INTO orders_products (orders_id, products_id, products_name, products_price, final_price, products_tax, products_quantity)
    VALUES (?, ?, 'Teekanne', 29.00, 29.00, 7.0, 1)");

$customer->execute(['Erika', 'Mustermann', 'erika@example.org']);
$erika = (int) $pdo->lastInsertId();
$order->execute([$erika, 'Erika Mustermann', 'erika@example.org', 40]);
$line->execute([(int) $pdo->lastInsertId(), 7]);
$store->grantConsent($erika, 'newsletter', [
    'source' => 'checkout', 'text' => 'Ja, ich möchte den Newsletter per E-Mail erhalten. Abmeldung jederzeit möglich.',
    'text_version' => '2026-01', 'ip' => '203.0.113.7', 'user_agent' => 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
]);
$store->optOut($erika, 'review.request', ['source' => 'account', 'ip' => '203.0.113.7']);
$send = $store->logSend($erika, 'newsletter', ['email' => 'erika@example.org', 'subject' => 'Unser Herbst-Newsletter', 'message_id' => '<nl-2026-11@shop.example>']);
$store->archiveEmail($send, 'Unser Herbst-Newsletter', '<p>Hallo Erika …</p>');
$store->logSend($erika, 'order.confirmation', ['email' => 'erika@example.org', 'subject' => 'Ihre Bestellung', 'order_id' => 1]);
$store->tag($erika, 'vip', 'spent.over.1000');

$customer->execute(['Bert', 'Beispiel', 'bert@example.org']);
$bert = (int) $pdo->lastInsertId();
$store->requestConsent($bert, 'newsletter', ['source' => 'newsletter_form', 'ip' => '198.51.100.4']);
$store->optOut($bert, '*', ['source' => 'admin', 'actor' => 'demo']);

printf("Demo shop ready: customers %d (erika@example.org) and %d (bert@example.org).\nServe the admin page:\n\n", $erika, $bert);
printf("  DSGVO_DSN='%s' DSGVO_SHOP=oscommerce DSGVO_ADMIN_PASSWORD=choose-one \\\n    php -d extension=%s -S 127.0.0.1:8090 -t %s\n\n",
    preg_replace('~//([^:@/]+):[^@/]*@~', '//$1:…@', $dsn), ini_get('extension') ?: 'target/release/libdsgvo.so', dirname(__DIR__));
echo "(with DSGVO_SECRET still exported), then open http://127.0.0.1:8090/\n";
