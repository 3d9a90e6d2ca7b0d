<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use Dsgvo\Tests\Shops\ShopEndToEnd;
use Dsgvo\Tests\Shops\ZenCart;
use PHPUnit\Framework\TestCase;
use ZipArchive;

require_once __DIR__ . '/../support/WebDriver.php';
require_once __DIR__ . '/../support/shops/ShopWeb.php';
require_once __DIR__ . '/../support/shops/ZenCart.php';
require_once __DIR__ . '/../support/shops/ShopEndToEnd.php';

/**
 * integrations/zencart in a real Zen Cart 2.2.2, installed by its own installer from ../shared/fixtures/shops,
 * served by nginx with the shop's own server template and PHP-FPM with the extension, driven in headless
 * Chromium: the plugin installed through the Plugin Manager; sign-up with the newsletter box (the wording the
 * page showed is the proof), double opt-in, a sign-up while dsgvo's database is unreachable, an order with the
 * consent box, product notification sign-ups (checkout success, account page) and a product notification,
 * the account page, Zen Cart's own newsletter module (mail captured; the headers parsed back),
 * RFC 8058 one-click, Zen Cart's addr= unsubscribe with a "+" address, export and erasure from the admin,
 * a full dump scanned for the customer, and the uninstall leaving the shop as it was.
 * Screenshots and the decisions at each step go to target/e2e/zencart/.
 */
final class ZenCartEndToEndTest extends TestCase
{
    private const SECRET = '6b1f0c9e2d4a7f3851c0e9d2b7a4f6031e8c5d9a2b7f4e6c0d1a3b5c7e9f2a4d';
    private const PASSWORD = 'Kunde-Pass-2026!';
    private const ANNA = 'anna+news@example.org';

    use ShopEndToEnd;

    /** @var ZenCart */
    private $shop;

    public function testZenCartIntegrationEndToEnd(): void
    {
        $this->startShopTest('zencart', 'Zen Cart', ZenCart::source() !== null, 'zencart-2.2.2');
        $root = dirname(__DIR__, 3);
        $parts = TestDatabase::parts(TestDatabase::baseDsn());
        $this->shop = ZenCart::install($this->web, $this->db->name, $parts, $this->db->dsn, [
            'dsgvo.secret' => self::SECRET,
        ]);
        $this->store = new Store(['dsn' => $this->db->dsn, 'shop' => 'zencart', 'shop_table_prefix' => ZenCart::PREFIX, 'secret' => self::SECRET]);
        $downloads = $this->out . '/work/downloads';
        mkdir($downloads);
        $this->browser = WebDriver::start($downloads, $this->web->browserArgs());
        $b = $this->browser;
        $base = $this->web->base;

        // The shop answers under its own nginx template; root PHP files outside its list are redirected.
        $home = $this->web->request('GET', '/index.php');
        $this->assertSame(200, $home['status'], 'storefront home page');
        $stray = $this->web->request('GET', '/dsgvo_unsubscribe.php?t=x');
        $this->assertSame(302, $stray['status'], "Zen Cart's nginx template redirects root PHP files it does not list");

        // Admin login, and the shop's state before the plugin: the uninstall must restore it.
        $this->adminLogin();
        $before = $this->shopState();

        // Install the plugin through the Plugin Manager.
        exec('cp -a ' . escapeshellarg($root . '/integrations/zencart/Dsgvo') . ' ' . escapeshellarg($this->web->docroot . '/zc_plugins/Dsgvo'), $o, $rc);
        $this->assertSame(0, $rc);
        $b->get($this->admin('plugin_manager', 'colKey=Dsgvo&action=install'));
        $b->waitFor('form[name="plugininstall"]');
        $this->shot('01-plugin-install');
        $b->click('form[name="plugininstall"] button[type="submit"]');
        try {
            $b->waitFor('tr.status-enabled, .status-enabled', 60); // the installer migrates dsgvo's tables
        } catch (WebDriverException $e) {
            $this->shot('02-plugin-install-failed');
            throw new WebDriverException($e->getMessage() . ': ' . substr($b->text('body'), 0, 800));
        }
        $this->shot('02-plugin-installed');
        $added = [];
        foreach ($this->shopState() as $table => $rows) {
            $added[$table] = array_values(array_diff($rows, $before[$table]));
        }
        $this->assertNotSame([], $added['admin_pages'], 'the plugin registered its admin pages');
        $this->assertNotSame([], $added['configuration_group'], 'and its configuration group');
        $this->assertSame(5, (int) $this->shop->pdo->query("SELECT COUNT(*) FROM zen_configuration WHERE configuration_key LIKE 'DSGVO\\_%'")->fetchColumn());
        $this->assertContains('newsletter', array_column($this->store->emailTypes(), 'type'), 'the installer defined the types');
        $this->assertSame(400, $this->web->request('GET', '/index.php?main_page=dsgvo_unsubscribe&t=x')['status'], 'the plugin page answers through index.php');

        // Customer numbers as in a shop with a history: the mailed links carry c=1000 and up, whose "=10" a
        // quoted-printable decode of a 7bit or 8bit mail would garble (the harness decodes each part by its own
        // Content-Transfer-Encoding).
        $this->shop->pdo->exec('ALTER TABLE zen_customers AUTO_INCREMENT = 1000');

        // 1. Sign-up with the newsletter box: the flag stays 0, the ledger holds the label the page showed.
        $anna = $this->register(self::ANNA, 'Anna', 'Überall', true, '01-signup');
        $this->assertGreaterThan(0, $anna);
        $this->assertSame(0, $this->shop->newsletterFlag($anna), 'the shop flag waits for the confirmation');
        $this->decision('after sign-up', $anna, 'newsletter', 'consent_pending');
        $history = $this->store->consentHistory($anna);
        $this->assertCount(1, $history);
        $this->assertSame('requested', $history[0]['action']);
        $this->assertSame($this->shownLabel, $history[0]['text'], 'the proof is the wording the sign-up page printed');
        $this->assertStringNotContainsString('Newsletter per E-Mail', (string) $history[0]['text']);

        // 2. The double opt-in link from the captured mail: GET changes nothing, the button confirms.
        $link = $this->confirmLink(self::ANNA);
        $b->get($link);
        $b->waitFor('#dsgvo-confirm-submit');
        $this->shot('03-confirm-page');
        $this->assertSame(0, $this->shop->newsletterFlag($anna), 'a GET (mail scanner) confirms nothing');
        $b->click('#dsgvo-confirm-submit');
        $b->waitFor('#dsgvo-result.dsgvo-done');
        $this->shot('04-confirmed');
        $this->assertSame(1, $this->shop->newsletterFlag($anna), 'confirmed in the ledger, then the shop flag');
        $this->decision('after confirmation', $anna, 'newsletter', 'consent');
        $again = $this->web->request('POST', $link, '', 'scanner');
        $this->assertSame(400, $again['status'], 'a used link answers 400');

        // 3. dsgvo's database unreachable at sign-up (this request only): account made, flag 0, a visible message.
        $b->get("$base/index.php?main_page=logoff");
        $b->addCookie('e2e_pool', 'down');
        $bert = $this->register('bert@example.org', 'Bert', 'Beispiel', true, '05-signup-db-down');
        $this->assertStringContainsString('could not be recorded', $b->text('body'), 'the customer is told');
        $b->deleteCookie('e2e_pool');
        $this->assertGreaterThan(0, $bert);
        $this->assertSame(0, $this->shop->newsletterFlag($bert), 'no ledger event, so no flag');
        $this->assertSame([], $this->store->consentHistory($bert));
        $this->decision('after sign-up with dsgvo unreachable', $bert, 'newsletter', 'no_consent');

        // 4. An order with the consent box.
        $this->login(self::ANNA);
        $order = $this->order(true);
        $this->assertGreaterThan(0, $order);
        $this->assertTrue($this->store->hasConsent($anna, 'review.request'), 'the checkout box granted its purpose');
        $granted = $this->consentsFor($anna, 'review.request');
        $this->assertSame('checkout', $granted[0]['source']);
        $this->assertStringContainsString('ask me by email for a review', (string) $granted[0]['text']);
        $this->decision('after the order with the box', $anna, 'review.request', 'consent');

        // 4b. The success page's "Please notify me of updates to these products" (the product bought, ticked):
        // consent for product notifications with that wording, before the shop stores the sign-up.
        $this->decision('before the product notification sign-up', $anna, 'product_notification', 'no_consent');
        // With dsgvo's database unreachable (this request only) the shop stores no sign-up, and she is told.
        $b->addCookie('e2e_pool', 'down');
        $b->click('#csNotifications [type="submit"], #csNotifications input[type="image"]');
        $b->waitFor('.messageStackError, .alert-danger');
        $b->deleteCookie('e2e_pool');
        $this->shot('07-checkout-notifications-db-down');
        $this->assertStringContainsString('could not be recorded', $b->text('body'), 'the customer is told');
        $this->assertSame(0, $this->notificationSignups($anna), 'no ledger event, so the shop stored no sign-up');
        $this->assertSame([], $this->consentsFor($anna, 'product_notification'));
        // The success page again (it shows the latest order), with dsgvo reachable.
        $b->get("$base/index.php?main_page=checkout_success");
        $b->waitFor('#csNotifications [type="submit"], #csNotifications input[type="image"]');
        $b->click('#csNotifications [type="submit"], #csNotifications input[type="image"]');
        $this->waitUntil(function () use ($anna): bool {
            return $this->notificationSignups($anna) > 0;
        }, 'the shop stored the product notification');
        $this->shot('07-checkout-notifications');
        $signup = $this->consentsFor($anna, 'product_notification');
        $this->assertCount(1, $signup);
        $this->assertSame(['granted', 'checkout'], [$signup[0]['action'], $signup[0]['source']]);
        $bought = (string) $this->shop->pdo->query("SELECT products_name FROM zen_orders_products WHERE orders_id = $order")->fetchColumn();
        $this->assertSame('Please notify me of updates to these products: ' . $bought, $signup[0]['text'], 'the legend and the product the page showed');
        $this->decision('after the sign-up on the success page', $anna, 'product_notification', 'consent');

        // 5. The account page: unticked is an objection; ticked again starts a new double opt-in.
        $this->toggleNewsletterBox('08-account-unsubscribed');
        $this->assertSame(0, $this->shop->newsletterFlag($anna));
        $this->decision('after unticking on the account page', $anna, 'newsletter', 'opted_out');
        $this->web->clearMail();
        $this->toggleNewsletterBox('09-account-subscribed-again');
        $this->assertSame(0, $this->shop->newsletterFlag($anna), 'ticked again: pending until confirmed');
        $this->decision('after ticking again', $anna, 'newsletter', 'opted_out');
        $b->get($this->confirmLink(self::ANNA));
        $b->click('#dsgvo-confirm-submit');
        $b->waitFor('#dsgvo-result.dsgvo-done');
        $this->assertSame(1, $this->shop->newsletterFlag($anna));
        $this->decision('after confirming again', $anna, 'newsletter', 'consent');

        // 6. Zen Cart's own newsletter module. Carl has the shop's flag 1 from an old import, but no proof:
        // he is in the audience and dsgvo skips him. The "Administrator" audience is a test send, no abort.
        $carl = $this->shopCustomer('carl@example.org', 'Carl', 'Altbestand', 1);
        $this->decision('legacy subscriber without proof', $carl, 'newsletter', 'no_consent');
        $this->web->clearMail();
        $this->sendNewsletter('Herbst-Newsletter', 'All Newsletter Subscribers', '10-newsletter');
        $mails = $this->mailsTo();
        $this->assertArrayHasKey(self::ANNA, $mails, 'Anna (confirmed) got the newsletter');
        $this->assertArrayNotHasKey('carl@example.org', $mails, 'Carl (flag without proof) did not');
        $this->assertCount(1, $this->store->sendLog($anna), 'the send is logged');
        $this->web->clearMail();
        $this->sendNewsletter('Test an den Admin', 'Administrator', '11-newsletter-admin');
        $this->assertArrayHasKey(ZenCart::ADMIN_EMAIL, $this->mailsTo(), 'the Administrator audience gets its test mail');
        $this->assertStringNotContainsString('Fatal', $b->text('body'));

        // Customers > Send Email to "All Customers": the same decisions, only Anna gets it.
        $this->web->clearMail();
        $b->get($this->admin('mail'));
        $b->waitFor('form[name="mail"] select[name="customers_email_address"]');
        $b->script('var s = document.querySelector("select[name=customers_email_address]"); for (var i = 0; i < s.options.length; i++) { if (s.options[i].text.indexOf("All Customers") === 0) { s.selectedIndex = i; } }'
            . 'document.querySelector("form[name=mail] textarea[name=message]").value = "Ein Angebot nur für Sie.";');
        $b->type('form[name="mail"] input[name="subject"]', 'Ein Angebot');
        $b->click('form[name="mail"] button[type="submit"].btn-primary');
        $b->waitFor('form[name="mail"] button[type="submit"].btn-primary');
        $this->shot('11-send-email-preview');
        $b->click('form[name="mail"] button[type="submit"].btn-primary');
        $b->waitFor('.messageStackSuccess, .alert-success, .messageStackError, .alert-danger');
        $this->shot('11-send-email-sent');
        $direct = $this->mailsTo();
        $this->assertSame([self::ANNA], array_keys($direct), 'Send Email reaches only the customer dsgvo allows');
        $this->assertStringContainsString('List-Unsubscribe-Post: List-Unsubscribe=One-Click', $direct[self::ANNA]);
        $this->assertCount(2, $this->store->sendLog($anna), 'both sends are logged');

        // Product notifications. Bert ticks "Global Product Notifications" on his account page: with dsgvo's
        // database unreachable the shop stores nothing; then it records the page's wording first. Unticked, the
        // consent is revoked; ticked again, granted. Carl has the shop's global flag from an old import only.
        $this->login('bert@example.org');
        $b->addCookie('e2e_pool', 'down');
        $this->toggleGlobalNotifications('11-notifications-db-down');
        $b->deleteCookie('e2e_pool');
        $this->assertStringContainsString('could not be recorded', $b->text('body'), 'the customer is told');
        $this->assertSame(0, $this->globalNotifications($bert), 'no ledger event, so the shop stored nothing');
        $this->toggleGlobalNotifications('11-notifications-global');
        $this->assertSame(1, $this->globalNotifications($bert));
        $global = $this->consentsFor($bert, 'product_notification');
        $this->assertSame(['granted', 'account', 'Global Product Notifications Receive notifications on all available products.'],
            [$global[0]['action'], $global[0]['source'], $global[0]['text']], 'the wording the account page showed');
        $this->decision('after ticking global notifications', $bert, 'product_notification', 'consent');
        $this->toggleGlobalNotifications('11-notifications-off');
        $this->assertSame(0, $this->globalNotifications($bert));
        $this->decision('after unticking them', $bert, 'product_notification', 'consent_revoked');
        $this->toggleGlobalNotifications('11-notifications-on-again');
        $this->decision('after ticking them again', $bert, 'product_notification', 'consent');
        // The product page's sidebox (Zen Cart shows it to customers with the global flag) offers "Notify me of
        // updates to …": its link records that wording (source account) before the shop stores the product.
        $product = (int) $this->shop->pdo->query('SELECT products_id FROM zen_products WHERE products_status = 1 AND products_type = 1 ORDER BY products_id LIMIT 1')->fetchColumn();
        $b->get("$base/index.php?main_page=product_info&products_id=$product");
        $b->waitFor('#productnotificationsContent a[href*="action=notify"]');
        $this->shot('11-notifications-sidebox');
        [$offered, $href] = $b->script('var a = document.querySelector("#productnotificationsContent a[href*=\'action=notify\']"); return [a.textContent, a.href];');
        $b->get((string) $href);
        $this->waitUntil(function () use ($bert): bool {
            return $this->notificationSignups($bert) > 0;
        }, 'the shop stored the product notification of the sidebox');
        $sidebox = $this->consentsFor($bert, 'product_notification');
        $last = $sidebox[count($sidebox) - 1];
        $this->assertSame(['granted', 'account', trim((string) preg_replace('/\s+/', ' ', (string) $offered))], [$last['action'], $last['source'], $last['text']], 'the link\'s wording');
        $this->assertStringStartsWith('Notify me of updates to ', (string) $last['text']);
        $this->shop->pdo->exec("UPDATE zen_customers_info SET global_product_notifications = 1 WHERE customers_info_id = $carl");
        $this->decision('product notifications, the shop flag only', $carl, 'product_notification', 'no_consent');
        $this->web->clearMail();
        $this->sendNewsletter('Neue Produkte', '', '11-product-notification', 'product_notification');
        $notified = $this->mailsTo();
        $recipients = array_keys($notified);
        sort($recipients);
        $this->assertSame([self::ANNA, 'bert@example.org'], $recipients, 'the product notification reaches Anna (product) and Bert (global), not Carl');
        $this->assertStringContainsString('List-Unsubscribe-Post: List-Unsubscribe=One-Click', $notified[self::ANNA]);
        $this->assertSame('product_notification', $this->store->sendLog($anna)[0]['type'] ?? null, 'logged with its type');

        // 7. The captured mail's headers, parsed back: unencoded, valid, pointing at the Zen Cart page.
        [$headers, $body] = $this->parseMail($mails[self::ANNA]);
        $this->assertArrayHasKey('list-unsubscribe', $headers);
        $this->assertStringNotContainsString('=?', $headers['list-unsubscribe'], 'no RFC 2047 encoded word');
        $this->assertMatchesRegularExpression('#^<https://shop\.test:\d+/index\.php\?main_page=dsgvo_unsubscribe&t=[A-Za-z0-9_.~-]+>$#', $headers['list-unsubscribe']);
        $this->assertSame('List-Unsubscribe=One-Click', $headers['list-unsubscribe-post'] ?? null);
        $this->assertStringContainsString('main_page=dsgvo_unsubscribe', $body, 'the visible link and notice are in the mail');
        $this->assertStringContainsString('Herzliche Grüße', $body, 'the umlaut made the parts 8bit UTF-8; decoded as such');
        preg_match('~^<([^>]+)>$~', $headers['list-unsubscribe'], $m);
        $oneClick = html_entity_decode($m[1]);
        $this->assertStringContainsString($oneClick, $body, 'the visible link is the header\'s');

        // 8. Zen Cart's addr= unsubscribe page with a "+" address reaches that address, not the stripped one.
        $dora = $this->shopCustomer('dora+shop@example.org', 'Dora', 'Plus', 1);
        $other = $this->shopCustomer('dorashop@example.org', 'Dorothea', 'Ohneplus', 0);
        $r = $this->web->request('GET', '/index.php?main_page=unsubscribe&addr=' . rawurlencode('dora+shop@example.org') . '&action=unsubscribe', null, 'dora');
        $this->assertSame(200, $r['status']);
        $this->decision('after Zen Cart\'s unsubscribe page', $dora, 'newsletter', 'opted_out');
        $this->decision('the address without the "+" is someone else', $other, 'newsletter', 'no_consent');
        $this->assertSame(0, $this->shop->newsletterFlag($dora));

        // Zen Cart's own "delete customer" erases dsgvo's data first: Dora's objection outlives her account.
        $b->get($this->admin('customers', 'cID=' . $dora . '&action=confirm'));
        $b->click('button[name="delete_type_full"]');
        // The admin header is on the page before and after the POST: wait for the deletion itself (at most 15 s).
        for ($until = microtime(true) + 15; $this->shop->customerId('dora+shop@example.org') !== 0 && microtime(true) < $until;) {
            usleep(200000);
        }
        $this->assertSame(0, $this->shop->customerId('dora+shop@example.org'), 'Zen Cart deleted the account');
        $this->assertCount(1, $this->store->requestLog(['kind' => 'erasure']), 'dsgvo erased its data of her first');
        $again = $this->shopCustomer('dora+shop@example.org', 'Dora', 'Plus', 1);
        $d = $this->store->maySend($again, 'newsletter');
        $this->decisions[] = sprintf('%-45s customer %d %-16s %s (%s)', 'new account with the deleted address', $again, 'newsletter', $d->allowed ? 'allowed' : 'denied', $d->reason);
        $this->assertContains($d->reason, ['suppressed', 'opted_out'], 'the address stays blocked');

        // 9. RFC 8058 one-click: a POST from a mail client without cookies or session.
        $get = $this->web->request('GET', $oneClick, null, 'mailclient');
        $this->assertSame(200, $get['status']);
        $this->decision('after a GET of the link (scanner)', $anna, 'newsletter', 'consent');
        $post = $this->web->request('POST', $oneClick, 'List-Unsubscribe=One-Click', 'mailclient', ['Content-Type: application/x-www-form-urlencoded']);
        $this->assertSame(200, $post['status'], 'one-click answers 200 without a redirect');
        $this->decision('after one-click', $anna, 'newsletter', 'opted_out');
        $this->assertSame(0, $this->shop->newsletterFlag($anna));

        // 10. Export and erasure from the admin's customer screen.
        $b->get($this->admin('customers', 'cID=' . $anna));
        $b->click('#dsgvo-customer-button');
        $b->waitFor('#dsgvo-decisions');
        $this->shot('12-admin-customer');
        $this->assertStringContainsString('opted_out', $b->text('#dsgvo-decisions tr[data-type="newsletter"]'));
        $b->click('#dsgvo-export');
        $zipFile = $this->waitForDownload($downloads, "dsgvo-export-$anna.zip");
        $zip = new ZipArchive();
        $this->assertTrue($zip->open($zipFile, ZipArchive::CHECKCONS));
        $document = json_decode((string) $zip->getFromName('export.json'), true, 512, JSON_THROW_ON_ERROR);
        $zip->close();
        $this->assertSame($anna, $document['subject']['customer_id']);
        $this->assertContains(self::ANNA, $document['subject']['emails']);
        $b->type('#dsgvo-confirm-id', (string) $anna);
        $b->click('#dsgvo-erase-submit');
        $b->waitFor('#dsgvo-erased');
        $this->shot('13-admin-erased');
        $retained = [];
        foreach ($b->findAll('#dsgvo-retained tr.retained') as $i => $unused) {
            $retained[] = $b->script('return document.querySelectorAll("#dsgvo-retained tr.retained")[arguments[0]].dataset.table;', [$i]);
        }
        $this->assertContains(ZenCart::PREFIX . 'orders', $retained, 'orders are kept (tax law) and reported');
        $this->decision('after erasure', $anna, 'newsletter', 'unknown_customer');

        // 11. A full dump: Anna's data only in the tables the erasure reported as retained.
        foreach ($this->shop->dump() as $table => $rows) {
            if (in_array($table, $retained, true)) {
                continue;
            }
            foreach ($rows as $row) {
                foreach ([self::ANNA, 'Überall', self::phone(self::ANNA), 'Annastraße 5'] as $needle) {
                    $this->assertStringNotContainsString($needle, $row, "Anna's data left in $table");
                }
            }
        }

        // 12. Uninstall: the shop's configuration and admin pages as before; dsgvo's own tables (proof) stay.
        $b->get($this->admin('plugin_manager', 'colKey=Dsgvo&action=uninstall'));
        $b->click('form button[type="submit"].btn-danger');
        $b->waitFor('.status-not-installed', 30);
        $this->shot('14-plugin-uninstalled');
        // What the plugin added is gone, nothing the shop had is lost (the shop adds rows of its own meanwhile).
        foreach ($this->shopState() as $table => $rows) {
            $this->assertSame([], array_values(array_intersect($added[$table], $rows)), "the uninstall removed the plugin's rows of $table");
            $this->assertSame([], array_values(array_diff($before[$table], $rows)), "the uninstall kept the shop's rows of $table");
        }
        $this->assertTrue($this->store->verifyLedger()['ok']);

        $errors = $this->web->phpErrors();
        $this->assertDoesNotMatchRegularExpression('/PHP (Fatal|Warning|Parse)|dsgvo\.php|DsgvoZenCart|auto\.dsgvo/', $errors, $errors);
    }

    /** @var string the newsletter label as the create-account page rendered it */
    private $shownLabel = '';

    private static function phone(string $email): string
    {
        return '030 ' . (1000000 + crc32($email) % 9000000);
    }

    private function admin(string $cmd, string $query = ''): string
    {
        return $this->web->base . '/' . ZenCart::ADMIN_DIR . '/index.php?cmd=' . $cmd . ($query !== '' ? '&' . $query : '');
    }

    private function adminLogin(): void
    {
        $b = $this->browser;
        $b->get($this->admin('login'));
        if (!$b->has('input[name="admin_name"]')) {
            $b->get($this->admin('login')); // "One-time auto-configuration completed. Please refresh"
        }
        $b->type('input[name="admin_name"]', ZenCart::ADMIN_USER);
        $b->type('input[name="admin_pass"]', $this->shop->adminPassword);
        $this->shot('00-admin-login');
        $b->click('#btn_submit, button[type="submit"], input[type="submit"]');
        $b->waitFor('#adminHeader, .navbar, #navbar', 15);
    }

    /** @return array<string, list<string>> the shop tables a plugin may touch, as rows */
    private function shopState(): array
    {
        $state = [];
        foreach (['configuration' => 'configuration_key, configuration_value', 'configuration_group' => 'configuration_group_title',
            'admin_pages' => 'page_key, main_page, page_params, menu_key', 'admin_pages_to_profiles' => 'page_key'] as $table => $cols) {
            $state[$table] = $this->shop->pdo->query("SELECT $cols FROM zen_$table ORDER BY 1")->fetchAll(\PDO::FETCH_COLUMN);
        }
        return $state;
    }

    /** Creates an account through the storefront's form; returns its id. */
    private function register(string $email, string $first, string $last, bool $newsletter, string $shot): int
    {
        $b = $this->browser;
        $b->get($this->web->base . '/index.php?main_page=create_account');
        $b->waitFor('input[name="firstname"]');
        if ($this->shownLabel === '') {
            $this->shownLabel = trim($b->text('label[for="newsletter-checkbox"]'));
            $extra = $b->findAll('label[for="newsletter-checkbox"] + span.alert');
            if ($extra !== []) {
                $this->shownLabel = trim($this->shownLabel . ' ' . $b->text('label[for="newsletter-checkbox"] + span.alert'));
            }
        }
        $fields = ['firstname' => $first, 'lastname' => $last, 'street_address' => $first . 'straße 5', 'city' => 'Berlin',
            'postcode' => '10115', 'telephone' => self::phone($email), 'email_address' => $email, 'password' => self::PASSWORD,
            'confirmation' => self::PASSWORD];
        foreach ($fields as $name => $value) {
            $b->type("input[name=\"$name\"]", $value);
        }
        // Germany, and Berlin from the zone list the page fills in for it (or typed where it shows a text field).
        $b->script('var c = document.querySelector("select[name=zone_country_id]"); c.value = "81"; c.dispatchEvent(new Event("change"));');
        usleep(300000);
        $picked = $b->script('var z = document.querySelector("select[name=zone_id]"); if (!z || z.offsetParent === null) { return false; }'
            . ' for (var i = 0; i < z.options.length; i++) { if (z.options[i].text === "Berlin") { z.selectedIndex = i; return true; } } return false;');
        if ($picked !== true) {
            $b->type('input[name="state"]', 'Berlin');
        }
        if ($newsletter) {
            $b->click('#newsletter-checkbox');
        }
        $this->shot($shot . '-form');
        if ($b->has('input[name="email_format"][value="HTML"]')) {
            $b->click('input[name="email_format"][value="HTML"]');
        }
        $b->click('#createAccountForm [type="submit"]');
        $b->waitFor('#createAcctSuccess, #createAcctDefault, .messageStackError, #indexDefault, body');
        usleep(300000);
        $this->shot($shot . '-done');
        $id = $this->shop->customerId($email);
        if ($id === 0) {
            $this->fail("account $email not created: " . substr($b->text('body'), 0, 1500));
        }
        return $id;
    }

    private function globalNotifications(int $customerId): int
    {
        return (int) $this->shop->pdo->query("SELECT global_product_notifications FROM zen_customers_info WHERE customers_info_id = $customerId")->fetchColumn();
    }

    private function notificationSignups(int $customerId): int
    {
        return (int) $this->shop->pdo->query("SELECT COUNT(*) FROM zen_products_notifications WHERE customers_id = $customerId")->fetchColumn();
    }

    /** Account > Newsletter: flips the box and saves. */
    private function toggleNewsletterBox(string $shot): void
    {
        $this->toggleAccountBox('account_newsletters', 'account_newsletter', 'input[name="newsletter_general"]',
            'form[name="account_newsletter"] input[name="newsletter_general"]', $shot);
    }

    /** Account > Product Notifications: flips "Global Product Notifications" and saves. */
    private function toggleGlobalNotifications(string $shot): void
    {
        $this->toggleAccountBox('account_notifications', 'account_notifications', '#globalnotify',
            '#accountDefault, #accountNotificationsDefault, .messageStackError, .alert-danger', $shot);
    }

    /** Opens an account page, flips one box of its form, submits, waits for $after. */
    private function toggleAccountBox(string $page, string $form, string $box, string $after, string $shot): void
    {
        $b = $this->browser;
        $b->get($this->web->base . '/index.php?main_page=' . $page);
        $b->click("form[name=\"$form\"] $box");
        $this->clickAndWaitForNextPage("form[name=\"$form\"] [type=\"submit\"], form[name=\"$form\"] input[type=\"image\"]");
        $b->waitFor($after);
        $this->shot($shot);
    }

    private function login(string $email): void
    {
        $b = $this->browser;
        $b->get($this->web->base . '/index.php?main_page=logoff');
        $b->get($this->web->base . '/index.php?main_page=login');
        $b->type('#login-email-address', $email);
        $b->type('#login-password', self::PASSWORD);
        // The page after the login POST, not the login page still shown: the next get() would race the POST and
        // land logged out (seen under PHP 8.4: the account page's get lost and the shop showed its index).
        $this->clickAndWaitForNextPage('#loginForm [type="submit"], form[name="login"] [type="submit"]');
        $b->waitFor('#accountDefault, #indexDefault');
    }

    /** Places an order through the storefront (flat shipping, money order); returns the order id. */
    private function order(bool $consentBox): int
    {
        $b = $this->browser;
        $base = $this->web->base;
        $product = (int) $this->shop->pdo->query('SELECT products_id FROM zen_products WHERE products_status = 1 AND products_quantity > 0 AND products_price > 0 ORDER BY products_id LIMIT 1')->fetchColumn();
        $b->get("$base/index.php?main_page=product_info&products_id=$product");
        $b->click('form[name="cart_quantity"] [type="submit"]');
        // The cart page itself: "body" would match the product page still shown, and the next get() would race
        // the add-to-cart POST (seen under PHP 8.4: the cart's redirect won).
        $b->waitFor('#shoppingCartDefault');
        $b->get("$base/index.php?main_page=checkout_shipping");
        $b->waitFor('form[name="checkout_address"]');
        $this->shot('06-checkout-shipping');
        $b->click('form[name="checkout_address"] [type="submit"]');
        $b->waitFor('#dsgvo-checkout-box');
        // The only payment module may be shown without a visible radio button.
        $b->script('var p = document.querySelector("input[name=payment][value=moneyorder]"); if (p) { p.checked = true; }');
        if ($consentBox) {
            $b->click('#dsgvo-checkout-box');
        }
        $this->shot('06-checkout-payment');
        $b->click('form[name="checkout_payment"] [type="submit"]');
        $b->waitFor('form[name="checkout_confirmation"]');
        $b->click('form[name="checkout_confirmation"] [type="submit"]');
        $b->waitFor('#checkoutSuccess, #checkoutSuccessDefault, body');
        usleep(300000);
        $this->shot('07-checkout-success');
        return (int) $this->shop->pdo->query('SELECT MAX(orders_id) FROM zen_orders')->fetchColumn();
    }

    /** A customer row written straight into the shop (e.g. an old import), with an address book entry. */
    private function shopCustomer(string $email, string $first, string $last, int $newsletter): int
    {
        $pdo = $this->shop->pdo;
        $pdo->prepare('INSERT INTO zen_customers (customers_firstname, customers_lastname, customers_email_address, customers_telephone, customers_newsletter, customers_password) VALUES (?, ?, ?, ?, ?, ?)')
            ->execute([$first, $last, $email, '0301111', $newsletter, password_hash('x', PASSWORD_DEFAULT)]);
        $id = (int) $pdo->lastInsertId();
        $pdo->prepare('INSERT INTO zen_customers_info (customers_info_id, customers_info_date_account_created) VALUES (?, NOW())')->execute([$id]);
        return $id;
    }

    /** Writes a newsletter in Tools > Newsletter and Product Notifications Manager and sends it to the audience. */
    private function sendNewsletter(string $title, string $audience, string $shot, string $module = 'newsletter'): void
    {
        $b = $this->browser;
        $b->get($this->admin('newsletters', 'page=1&action=new'));
        $b->waitFor('form[name="newsletter"] input[name="title"]');
        $b->script('document.querySelector("form[name=newsletter] select[name=module]").value = arguments[2];'
            . 'document.querySelector("form[name=newsletter] textarea[name=content]").value = arguments[0];'
            . 'document.querySelector("form[name=newsletter] textarea[name=message_html]").value = arguments[1];',
            ["Liebe Kundin, lieber Kunde,\nunsere Herbstangebote sind da.\nHerzliche Grüße", '<p>Unsere <b>Herbstangebote</b> sind da.</p><p>Herzliche Grüße</p>', $module]);
        $b->type('form[name="newsletter"] input[name="title"]', $title);
        $b->click('form[name="newsletter"] button[type="submit"]');
        $q = $this->shop->pdo->prepare('SELECT MAX(newsletters_id) FROM zen_newsletters WHERE title = ?');
        $deadline = microtime(true) + 10;
        do {
            usleep(100000);
            $q->execute([$title]);
            $id = (int) $q->fetchColumn();
        } while ($id === 0 && microtime(true) < $deadline);
        $this->assertGreaterThan(0, $id, 'the newsletter was saved');
        $b->get($this->admin('newsletters', 'page=1&nID=' . $id . '&action=send'));
        if ($module === 'product_notification') {
            // The audience "all products": every customer who asked for notifications of all products.
            $b->click('a[href*="global=true"]');
            $send = 'form[name="confirm"] button[type="submit"]';
        } else {
            $b->waitFor('form[name="audience"] select[name="audience_selected"]');
            $b->script('var s = document.querySelector("select[name=audience_selected]"); for (var i = 0; i < s.options.length; i++) { if (s.options[i].text.indexOf(arguments[0]) === 0) { s.selectedIndex = i; } }', [$audience]);
            $b->click('form[name="audience"] button[type="submit"]');
            $send = 'form[name="ready_to_send"] button[type="submit"]';
        }
        $b->waitFor($send);
        $this->shot($shot . '-confirm');
        $b->click($send);
        $b->waitFor('h1 .text-danger', 60);
        $this->assertStringContainsString('Finished sending', $b->text('h1 .text-danger'));
        $this->shot($shot . '-sent');
    }

    /** The newest double opt-in link mailed to the address. */
    private function confirmLink(string $email): string
    {
        return $this->linkMailedTo($email, '~https://[^\\s"<>]+main_page=dsgvo_confirm[^\\s"<>]+~');
    }
}
