<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use Dsgvo\Tests\Shops\Modified;
use Dsgvo\Tests\Shops\ShopEndToEnd;
use PHPUnit\Framework\TestCase;
use ZipArchive;

require_once __DIR__ . '/../support/WebDriver.php';
require_once __DIR__ . '/../support/shops/ShopWeb.php';
require_once __DIR__ . '/../support/shops/ShopFixtures.php';
require_once __DIR__ . '/../support/shops/Modified.php';
require_once __DIR__ . '/../support/shops/ShopEndToEnd.php';

/**
 * integrations/modified in a real modified eCommerce 3.3.0, installed by its own web installer from
 * ../shared/fixtures/shops, served by nginx and PHP-FPM (as www-data) with the extension, driven in headless
 * Chromium: money order, flat rate and a product set up as the shop owner would; the files copied and the system
 * module installed in the admin; sign-up with the newsletter box (the wording the page showed is the proof, the
 * shop's flags wait), modified's own activation link confirming dsgvo's consent (GET asks, POST confirms), the
 * account's newsletter page, a sign-up while dsgvo's database is unreachable, orders with the consent box on the
 * confirmation page ticked and unticked, the shop's own newsletter module and Customers > Send Email (mail
 * captured, a legacy subscriber without proof skipped, the headers parsed back), RFC 8058 one-click, export and
 * erasure in the admin, a full dump scanned for the customer, modified's own customer delete (refused while dsgvo
 * cannot erase, then the address suppressed), and the module removed and the files deleted
 * leaving the shop's files and tables as they were.
 * Screenshots and the decisions at each step go to target/e2e/modified/.
 */
final class ModifiedEndToEndTest extends TestCase
{
    private const SECRET = '9a1c3e5f7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a';
    private const PASSWORD = 'Kunde-Pass-2026!';
    private const ANNA = 'anna.ueberall@example.org';

    use ShopEndToEnd;

    /** @var Modified */
    private $shop;
    /** @var string the newsletter box's wording as the create-account page rendered it */
    private $shownLabel = '';

    public function testModifiedIntegrationEndToEnd(): void
    {
        if (Modified::source() !== null && ($missing = Modified::missing()) !== null) {
            $this->markTestSkipped($missing);
        }
        $this->startShopTest('modified', 'modified eCommerce', Modified::source() !== null, 'modified-3.3.0');
        $parts = TestDatabase::parts(TestDatabase::baseDsn());
        $started = microtime(true);
        $this->shop = Modified::install($this->web, $this->db->name, $parts, $this->db->dsn, ['dsgvo.secret' => self::SECRET]);
        $this->decisions[] = sprintf('modified installed by its own installer in %.1f s', microtime(true) - $started);
        $this->store = new Store(['dsn' => $this->db->dsn, 'shop' => 'modified', 'secret' => self::SECRET]);
        $downloads = $this->out . '/work/downloads';
        mkdir($downloads);
        $this->browser = WebDriver::start($downloads, $this->web->browserArgs());
        $b = $this->browser;
        $base = $this->web->base;
        $this->assertSame(200, $this->web->request('GET', '/index.php')['status'], 'storefront home page');

        // A shop that can sell: modified ships no product and no enabled payment or shipping module. The owner
        // installs money order and flat rate in the admin's Modules pages; one product goes in by SQL.
        $this->adminLogin();
        $this->shop->installModule($b, 'payment', 'moneyorder');
        $this->shop->installModule($b, 'shipping', 'flat');
        $product = $this->shop->addProduct('Wanderschuh Test', '49.9000');

        // The shop before the integration: removing it must restore its files and tables.
        $filesBefore = $this->shop->files();
        $tablesBefore = $this->shopTables();

        // 0. Install: copy files/ into the shop, then Modules > System modules > DSGVO > Install in the admin.
        $copied = $this->copyIntegration();
        $this->adminLogin();
        $b->get($this->admin('module_export.php', 'set=system&module=dsgvo_ledger&action=install'));
        $b->waitFor('body');
        $this->shot('00-module-installed');
        $this->assertContains('newsletter', array_column($this->store->emailTypes(), 'type'), 'the module defined the newsletter type');
        $this->assertContains('review.request', array_column($this->store->emailTypes(), 'type'), 'and the checkout box\'s purpose');
        $this->assertSame(400, $this->web->request('GET', '/dsgvo_unsubscribe.php?t=x')['status'], 'the one-click page answers under the shop');

        // 1. Sign-up with the newsletter box: both shop flags wait, the ledger holds the wording the page showed.
        $b->get("$base/logoff.php");
        $anna = $this->register(self::ANNA, 'Anna', 'Überall', true, '01-signup');
        $this->assertSame([0, 0], $this->shop->newsletterFlags(self::ANNA), 'customers_newsletter and mail_status wait for the confirmation');
        $this->decision('after sign-up', $anna, 'newsletter', 'consent_pending');
        $history = $this->store->consentHistory($anna);
        $this->assertCount(1, $history);
        $this->assertSame('requested', $history[0]['action']);
        $this->assertStringStartsWith('Ich möchte regelmäßig interessante Angebote per E-Mail erhalten.', $this->shownLabel, "the shop's own German box");
        $this->assertSame($this->shownLabel, $history[0]['text'], 'the proof is the wording the sign-up page printed');

        // 2. modified's own activation link from the captured mail: GET changes nothing, the button confirms.
        $link = $this->activationLink(self::ANNA);
        $this->assertStringContainsString('&dsgvo=', $link, "dsgvo's token rides on modified's link");
        $bare = (string) preg_replace('/&dsgvo=[^&]*/', '', $link);
        $this->assertSame(400, $this->web->request('GET', $bare, null, 'scanner')['status'], 'an activation without dsgvo\'s token is refused');
        $b->get($link);
        $b->waitFor('#dsgvo-confirm-submit');
        $this->shot('02-confirm-page');
        $this->assertSame([0, 0], $this->shop->newsletterFlags(self::ANNA), 'a GET (mail scanner) confirms nothing');
        $b->click('#dsgvo-confirm-submit');
        $b->waitFor('body');
        usleep(300000);
        $this->shot('03-confirmed');
        $this->assertSame([1, 1], $this->shop->newsletterFlags(self::ANNA), 'confirmed in the ledger, then modified activated');
        $this->decision('after confirmation', $anna, 'newsletter', 'consent');
        $this->assertSame(400, $this->web->request('POST', $link, '', 'scanner')['status'], 'a used link answers 400');

        // 2b. The account's newsletter page (modified's newsletter.php): unsubscribing is an objection; subscribing
        // again starts dsgvo's opt-in anew, with that page's wording, and only its confirmation sets the flags.
        $this->newsletterPage(self::ANNA, 'del', '03b-newsletter-page-unsubscribed');
        $this->assertSame([0, 2], $this->shop->newsletterFlags(self::ANNA), 'modified marks the address unsubscribed (2)');
        $this->decision('after unsubscribing on newsletter.php', $anna, 'newsletter', 'opted_out');
        $this->web->clearMail();
        $pageWording = $this->newsletterPage(self::ANNA, 'inp', '03c-newsletter-page-subscribed');
        $this->assertSame([0, 0], $this->shop->newsletterFlags(self::ANNA), 'pending until confirmed');
        $this->decision('after subscribing again on newsletter.php', $anna, 'newsletter', 'opted_out');
        $requested = array_values(array_filter($this->store->consentHistory($anna), function (array $e): bool {
            return $e['action'] === 'requested';
        }));
        $this->assertSame('newsletter_form', end($requested)['source']);
        $this->assertSame($pageWording, end($requested)['text'], 'the proof is the wording newsletter.php printed');
        $b->get($this->activationLink(self::ANNA));
        $b->click('#dsgvo-confirm-submit');
        $b->waitFor('body');
        usleep(300000);
        $this->assertSame([1, 1], $this->shop->newsletterFlags(self::ANNA));
        $this->decision('after confirming again', $anna, 'newsletter', 'consent');

        // 3. dsgvo's database unreachable at sign-up (this request only): account made, no opt-in mail, flags 0.
        $b->get("$base/logoff.php");
        $this->web->clearMail();
        $b->addCookie('e2e_pool', 'down');
        $bert = $this->register('bert@example.org', 'Bert', 'Beispiel', true, '04-signup-db-down');
        $b->deleteCookie('e2e_pool');
        $this->assertSame(0, $this->shop->newsletterFlags('bert@example.org')[0], 'no ledger event, so no flag');
        $this->assertNotSame(1, $this->shop->newsletterFlags('bert@example.org')[1]);
        $this->assertArrayNotHasKey('bert@example.org', array_filter($this->mailsTo(), function (string $raw): bool {
            return strpos(quoted_printable_decode($raw), 'action=activate') !== false;
        }), 'no activation link went out for a consent dsgvo could not record');
        $this->assertSame([], $this->store->consentHistory($bert));
        $this->decision('after sign-up with dsgvo unreachable', $bert, 'newsletter', 'no_consent');

        // 3b. Orders with the consent box on the confirmation page: ticked, the purpose is granted once the order
        // exists, with the wording the page showed; unticked (Bert), nothing is recorded.
        $this->login(self::ANNA, self::PASSWORD);
        [$order, $shown] = $this->order($product, true, '04b-order-anna');
        $this->assertStringStartsWith('Ja, bitten Sie mich nach der Lieferung per E-Mail um eine Bewertung', $shown, 'the box in the shop\'s language');
        $granted = array_values(array_filter($this->store->consentHistory($anna), function (array $e): bool {
            return $e['purpose'] === 'review.request';
        }));
        $this->assertCount(1, $granted, "the ticked box granted its purpose once (order $order)");
        $this->assertSame('granted', $granted[0]['action']);
        $this->assertSame('checkout', $granted[0]['source']);
        $this->assertSame($shown, $granted[0]['text'], 'the proof is the wording the confirmation page printed');
        $this->assertSame('1', $granted[0]['text_version']);
        $this->decision('after the order with the box', $anna, 'review.request', 'consent');
        $this->login('bert@example.org', self::PASSWORD);
        $this->order($product, false, '04c-order-bert');
        $this->assertSame([], array_values(array_filter($this->store->consentHistory($bert), function (array $e): bool {
            return $e['purpose'] === 'review.request';
        })), 'an unticked box records nothing');
        $this->decision('after an order without the box', $bert, 'review.request', 'no_consent');

        // 4. The shop's own newsletter module. Carl is an active recipient from an old import, without proof.
        $carl = $this->legacySubscriber('carl@example.org', 'Carl', 'Altbestand');
        $this->decision('legacy subscriber without proof', $carl, 'newsletter', 'no_consent');
        $this->adminLogin();
        $this->web->clearMail();
        $this->sendNewsletter('Herbstangebote', '<p>Liebe Kundin, lieber Kunde, unsere Herbstangebote sind da.</p>');
        $mails = $this->mailsTo();
        $this->assertArrayHasKey(self::ANNA, $mails, 'Anna got the newsletter');
        $this->assertArrayNotHasKey('carl@example.org', $mails, 'no proof, no newsletter, whatever modified\'s list says');
        $this->assertCount(1, $this->store->sendLog($anna), 'the send is logged');

        // 5. The captured mail's headers, parsed back: unencoded, valid, pointing at the shop's page.
        [$headers, $body] = $this->parseMail($mails[self::ANNA]);
        $this->assertStringNotContainsString('=?', $headers['list-unsubscribe'], 'no RFC 2047 encoded word');
        $this->assertMatchesRegularExpression('#^<https://shop\.test:\d+/dsgvo_unsubscribe\.php\?t=[A-Za-z0-9_.~-]+>$#', $headers['list-unsubscribe']);
        $this->assertSame('List-Unsubscribe=One-Click', $headers['list-unsubscribe-post'] ?? null);
        preg_match('~^<([^>]+)>$~', $headers['list-unsubscribe'], $m);
        $oneClick = $m[1];
        $this->assertStringContainsString($oneClick, $body, 'the visible unsubscribe link is in the mail');
        $this->assertStringContainsString('Herbstangebote', $body);

        // 5b. Customers > Send Email to all customers: advertising to a list, so the newsletter's decisions apply
        // (the shop owner, Bert and Carl have no proven consent), with the same headers. The page counts both.
        $this->web->clearMail();
        $b->get($this->admin('mail.php'));
        $b->waitFor('form[name="mail"] select[name="customers_email_address"]');
        // The page loads its editor (CKEditor) after the form: text set before it is ready is lost.
        $editorReady = 'return !document.querySelector("script[src*=ckeditor]")'
            . ' || !!(window.CKEDITOR && CKEDITOR.instances.message && CKEDITOR.instances.message.status === "ready");';
        $this->waitUntil(fn (): bool => (bool) $b->script($editorReady), 'the mail editor is ready');
        $b->script('var f = document.querySelector("form[name=mail]"); f.customers_email_address.value = "***"; f.subject.value = arguments[0];'
            . 'if (window.CKEDITOR && CKEDITOR.instances.message) { CKEDITOR.instances.message.setData(arguments[1]); } f.message.value = arguments[1];',
            ['Ein Angebot', '<p>Ein Angebot nur für Sie.</p>']);
        $this->waitUntil(fn (): bool => str_contains((string) $b->script('return window.CKEDITOR && CKEDITOR.instances.message'
            . ' ? CKEDITOR.instances.message.getData() : document.querySelector("form[name=mail]").message.value;'), 'Ein Angebot nur'),
            'the message is in the editor');
        $b->click('form[name="mail"] input[type="submit"]');
        $b->waitFor('form[name="mail"] input[type="hidden"][name="subject"]');
        $this->shot('08b-send-email-preview');
        $b->click('form[name="mail"] input[type="submit"]:not([name="back"])');
        $b->waitFor('form[name="mail"] select[name="customers_email_address"]');
        $this->shot('08c-send-email-sent');
        $direct = $this->mailsTo();
        $this->assertSame([self::ANNA], array_keys($direct), 'Send Email to all customers reaches only the customer dsgvo allows');
        [$directHeaders, $directBody] = $this->parseMail($direct[self::ANNA]);
        $this->assertMatchesRegularExpression('#^<https://shop\.test:\d+/dsgvo_unsubscribe\.php\?t=[A-Za-z0-9_.~-]+>$#', $directHeaders['list-unsubscribe']);
        $this->assertSame('List-Unsubscribe=One-Click', $directHeaders['list-unsubscribe-post'] ?? null);
        $this->assertStringContainsString('Ein Angebot nur für Sie.', $directBody);
        $this->assertStringContainsString('DSGVO: an 1 Kunden gesendet, 3 übersprungen', $b->text('body'), 'the page says how many went and how many were skipped');
        $this->assertCount(2, $this->store->sendLog($anna), 'both sends are logged');

        // 6. RFC 8058 one-click: a POST from a mail client without cookies or session.
        $this->assertSame(200, $this->web->request('GET', $oneClick, null, 'mailclient')['status']);
        $this->decision('after a GET of the link (scanner)', $anna, 'newsletter', 'consent');
        $post = $this->web->request('POST', $oneClick, 'List-Unsubscribe=One-Click', 'mailclient', ['Content-Type: application/x-www-form-urlencoded']);
        $this->assertSame(200, $post['status'], 'one-click answers 200 without a redirect');
        $this->decision('after one-click', $anna, 'newsletter', 'opted_out');
        $this->assertSame([0, 0], $this->shop->newsletterFlags(self::ANNA));

        // 7. Export and erasure from the admin's customer screen (its DSGVO button opens Customers > DSGVO).
        $b->get($this->admin('customers.php', 'cID=' . $anna));
        $b->waitFor('#dsgvo-customer-button');
        $this->shot('05-admin-customer');
        $b->click('#dsgvo-customer-button');
        $b->waitFor('#dsgvo-decisions');
        $this->shot('05-admin-dsgvo-page');
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
        try {
            $b->waitFor('#dsgvo-erased, #dsgvo-error');
        } catch (WebDriverException $e) {
            $this->shot('06-admin-erase-failed');
            $this->fail('erasure page: ' . substr($b->text('body'), 0, 2000));
        }
        $this->shot('06-admin-erased');
        $this->assertFalse($b->has('#dsgvo-error'), $b->has('#dsgvo-error') ? $b->text('#dsgvo-error') : '');
        $this->assertSame('1', $b->text('#count-newsletter-temp'), "her row of the newsletter module's send list (module_newsletter_temp_N) went too");
        $retained = [];
        foreach ($b->findAll('#dsgvo-retained tr.retained') as $i => $unused) {
            $retained[] = (string) $b->script('return document.querySelectorAll("#dsgvo-retained tr.retained")[arguments[0]].dataset.table;', [$i]);
        }
        $this->assertContains('orders', $retained, 'her order is kept (tax law) and reported');
        $this->decision('after erasure', $anna, 'newsletter', 'unknown_customer');

        // 8. A full dump: Anna's data only in the tables the erasure reported as retained.
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

        // 8b. modified's own Customers > Delete erases dsgvo's records first. With dsgvo's database unreachable
        // (this request only) nothing is deleted; then the deletion goes through, and the address stays suppressed
        // for an account made later.
        $b->addCookie('e2e_pool', 'down');
        $this->deleteCustomer($bert);
        $b->deleteCookie('e2e_pool');
        $this->shot('09-admin-delete-refused');
        $this->assertStringContainsString("Customer $bert was not deleted", $b->text('body'), 'the admin is told why');
        $this->assertSame($bert, $this->shop->customerId('bert@example.org'), 'nothing deleted while dsgvo could not erase');
        $this->deleteCustomer($bert);
        $this->shot('09-admin-deleted');
        $this->assertSame(0, $this->shop->customerId('bert@example.org'), 'modified deleted the customer');
        $this->decision('after modified\'s own delete in the admin', $bert, 'newsletter', 'unknown_customer');
        $again = $this->legacySubscriber('bert@example.org', 'Bert', 'Wieder');
        $this->decision('a later account with the deleted address', $again, 'newsletter', 'suppressed');

        // 9. Uninstall: remove the module in the admin, delete the copied files: the shop as before.
        $b->get($this->admin('module_export.php', 'set=system&module=dsgvo_ledger&action=removeconfirm'));
        $b->waitFor('body');
        foreach (array_reverse($copied) as $file) {
            unlink($this->web->docroot . '/' . $file);
        }
        $this->assertSame($tablesBefore, $this->shopTables(), 'the module left configuration and admin rights as they were');
        $this->assertSame($filesBefore, $this->shop->files(), 'deleting the copied files left the shop\'s files as they were');
        $this->assertSame(200, $this->web->request('GET', '/index.php')['status'], 'the shop still answers');
        $this->assertTrue($this->store->verifyLedger()['ok']);

        $errors = implode("\n", preg_grep('/dsgvo/i', explode("\n", $this->web->phpErrors())) ?: []);
        $this->assertDoesNotMatchRegularExpression('/PHP (Fatal|Warning|Parse|Deprecated|Notice)/', $errors, $errors);
    }

    private static function phone(string $email): string
    {
        return '030 ' . (1000000 + crc32($email) % 9000000);
    }

    private function admin(string $page, string $query = ''): string
    {
        return $this->web->base . '/' . Modified::ADMIN_DIR . '/' . $page . ($query !== '' ? '?' . $query : '');
    }

    /** Copies integrations/modified/files into the shop, as its owner would; @return list<string> the files copied */
    private function copyIntegration(): array
    {
        $src = dirname(__DIR__, 3) . '/integrations/modified/files';
        $copied = [];
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($src, \FilesystemIterator::SKIP_DOTS));
        foreach ($it as $file) {
            $rel = substr($file->getPathname(), strlen($src) + 1);
            $target = $this->web->docroot . '/' . $rel;
            $this->assertFileDoesNotExist($target, 'the integration overwrites no file of the shop');
            copy($file->getPathname(), $target);
            $copied[] = $rel;
        }
        sort($copied);
        return $copied;
    }

    /** @return array<string, list<string>> the shop tables the module may touch */
    private function shopTables(): array
    {
        return [
            'configuration' => $this->shop->pdo->query('SELECT configuration_key FROM configuration ORDER BY 1')->fetchAll(\PDO::FETCH_COLUMN),
            'admin_access' => $this->shop->pdo->query('SHOW COLUMNS FROM admin_access')->fetchAll(\PDO::FETCH_COLUMN),
        ];
    }

    /** There is no separate admin login: the shop owner logs in on the storefront (customer 1). */
    private function adminLogin(): void
    {
        $this->login(Modified::OWNER_EMAIL, Modified::OWNER_PASSWORD);
        $b = $this->browser;
        $b->get($this->admin('start.php'));
        $b->waitFor('body');
        $this->assertStringContainsString('/' . Modified::ADMIN_DIR . '/start.php', $b->currentUrl(), 'admin login: ' . substr($b->text('body'), 0, 500));
    }

    private function login(string $email, string $password): void
    {
        $b = $this->browser;
        $b->get($this->web->base . '/logoff.php');
        $b->get($this->web->base . '/login.php');
        $b->waitFor('input[name="password"]');
        sleep(2); // modified refuses forms posted sooner than 2 s after they were issued (anti-bot)
        // The page's own login form (the header has a second one): the last form with a password field.
        $b->script('var f = Array.prototype.slice.call(document.querySelectorAll("form")).filter(function (f) { return f.querySelector("input[name=password]"); }).pop();'
            . 'f.querySelector("input[name=email_address]").value = arguments[0]; f.querySelector("input[name=password]").value = arguments[1]; f.submit();', [$email, $password]);
        $b->waitFor('body');
        usleep(300000);
    }

    /**
     * Buys the product through the storefront as the logged-in customer (flat rate, money order), with the consent
     * box on the confirmation page ticked or not. @return array{0: int, 1: string} the order id and the box's
     * wording as the page showed it
     */
    private function order(int $product, bool $tick, string $shot): array
    {
        $b = $this->browser;
        $base = $this->web->base;
        $last = (int) $this->shop->pdo->query('SELECT COALESCE(MAX(orders_id), 0) FROM orders')->fetchColumn();
        $b->get("$base/product_info.php?products_id=$product");
        $b->waitFor('form#cart_quantity');
        $b->script('document.querySelector("form#cart_quantity").submit();');
        $b->waitFor('body');
        $b->get("$base/checkout_shipping.php");
        $b->waitFor('form#checkout_address');
        $b->script('var s = document.querySelector("input[name=shipping][value=flat_flat]"); if (s) { s.checked = true; }');
        $this->shot("$shot-shipping");
        $b->click('form#checkout_address [type="submit"]');
        $b->waitFor('form#checkout_payment');
        $b->script('var p = document.querySelector("input[name=payment][value=moneyorder]"); if (p) { p.checked = true; }');
        $this->shot("$shot-payment");
        $b->click('form#checkout_payment [type="submit"]');
        try {
            $b->waitFor('form#checkout_confirmation #dsgvo-checkout-box');
        } catch (WebDriverException $e) {
            $this->shot("$shot-no-box");
            $this->fail('no consent box in the confirmation form: ' . $b->currentUrl() . ' ' . substr($b->text('body'), 0, 1500));
        }
        $shown = trim((string) preg_replace('/[\s\x{00A0}]+/u', ' ', (string) $b->script('return document.querySelector("label[for=dsgvo-checkout-box]").innerText;')));
        if ($tick) {
            $b->click('label[for="dsgvo-checkout-box"]');
        }
        $this->assertSame($tick, $b->script('return document.getElementById("dsgvo-checkout-box").checked;'), 'the box as the customer left it');
        $this->shot("$shot-confirmation");
        $b->click('#button_checkout_confirmation');
        $b->waitFor('body');
        usleep(500000);
        $this->shot("$shot-success");
        $this->assertStringContainsString('checkout_success', $b->currentUrl(), 'the order went through: ' . substr($b->text('body'), 0, 800));
        $order = (int) $this->shop->pdo->query('SELECT MAX(orders_id) FROM orders')->fetchColumn();
        $this->assertGreaterThan($last, $order, 'modified stored the order');
        return [$order, $shown];
    }

    /** Customers > (customer) > Delete > Delete, as the admin clicks it. */
    private function deleteCustomer(int $id): void
    {
        $b = $this->browser;
        $b->get($this->admin('customers.php', 'cID=' . $id . '&action=confirm'));
        $b->waitFor('form[name="customers"][action*="deleteconfirm"] input[type="submit"]');
        $b->click('form[name="customers"][action*="deleteconfirm"] input[type="submit"]');
        $b->waitFor('body');
        usleep(300000);
    }

    /** modified's newsletter page: subscribes (inp) or unsubscribes (del) the address; returns the wording of the "inp" choice. */
    private function newsletterPage(string $email, string $check, string $shot): string
    {
        $b = $this->browser;
        // The account's own link to its newsletter setting (the account box of modified's template).
        $b->get($this->web->base . '/account.php');
        $b->waitFor('body');
        $href = $b->script('var a = document.querySelector("a[href*=\'newsletter.php\']"); return a ? a.href : null;');
        $this->assertIsString($href, 'the account page links to newsletter.php');
        $b->get($href);
        $b->waitFor('form#sign input[name="email"]');
        $shown = trim((string) preg_replace('/[\s\x{00A0}]+/u', ' ', (string) $b->script('return document.querySelector("label[for=inp]").innerText;')));
        sleep(2); // modified refuses forms posted sooner than 2 s after they were issued (anti-bot)
        $b->script('var f = document.getElementById("sign"); f.email.value = arguments[0]; document.getElementById(arguments[1]).checked = true;'
            . 'var p = document.getElementById("privacy"); if (p) { p.checked = true; } f.submit();', [$email, $check]);
        $b->waitFor('body');
        usleep(300000);
        $this->shot($shot);
        return $shown;
    }

    /** Creates an account through the storefront's form (German, modified's default); returns its id. */
    private function register(string $email, string $first, string $last, bool $newsletter, string $shot): int
    {
        $b = $this->browser;
        $b->get($this->web->base . '/create_account.php');
        $b->waitFor('input[name="firstname"]');
        if ($this->shownLabel === '') {
            $shown = (string) $b->script('return document.querySelector("label[for=newsletter]").innerText;');
            $this->shownLabel = trim((string) preg_replace('/[\s\x{00A0}]+/u', ' ', $shown));
        }
        $fields = ['firstname' => $first, 'lastname' => $last, 'street_address' => $first . 'straße 5', 'city' => 'Berlin',
            'postcode' => '10115', 'telephone' => self::phone($email), 'email_address' => $email, 'confirm_email_address' => $email,
            'password' => self::PASSWORD, 'confirmation' => self::PASSWORD];
        // Filled by script: the theme hides some inputs behind styled labels, which WebDriver will not type into.
        $b->script('var f = document.querySelector("input[name=firstname]").form;'
            . 'var fields = arguments[0]; Object.keys(fields).forEach(function (n) { var i = f.querySelector("[name=" + n + "]"); if (i) { i.value = fields[n]; } });', [$fields]);
        $b->script('var g = document.querySelector("[name=gender]"); if (g && g.tagName === "SELECT") { g.value = "f"; } else { var r = document.querySelector("input[name=gender][value=f]"); if (r) { r.checked = true; } }'
            . 'var p = document.querySelector("input[name=privacy]"); if (p) { p.checked = true; }');
        if ($newsletter) {
            $b->script('document.getElementById("newsletter").checked = true;');
        }
        $this->shot($shot . '-form');
        sleep(4); // the create-account form may not be posted sooner than 4 s after it was issued (anti-bot)
        $b->script('document.querySelector("input[name=firstname]").form.submit();');
        $b->waitFor('body');
        usleep(500000);
        $this->shot($shot . '-done');
        $id = $this->shop->customerId($email);
        if ($id === 0) {
            $this->fail("account $email not created: " . substr($b->text('body'), 0, 1500));
        }
        return $id;
    }

    /** A customer and an active newsletter_recipients row written straight into the shop (an old import). */
    private function legacySubscriber(string $email, string $first, string $last): int
    {
        $pdo = $this->shop->pdo;
        $pdo->exec("SET SESSION sql_mode = ''"); // as modified runs: its tables have NOT NULL columns without defaults
        $pdo->prepare('INSERT INTO customers (customers_status, customers_firstname, customers_lastname, customers_email_address, customers_telephone, customers_newsletter, customers_password, customers_date_added) VALUES (2, ?, ?, ?, ?, 1, ?, NOW())')
            ->execute([$first, $last, $email, '0301111', password_hash('x', PASSWORD_DEFAULT)]);
        $id = (int) $pdo->lastInsertId();
        $pdo->prepare('INSERT INTO customers_info (customers_info_id, customers_info_date_account_created) VALUES (?, NOW())')->execute([$id]);
        $pdo->prepare("INSERT INTO newsletter_recipients (customers_email_address, customers_id, customers_status, customers_firstname, customers_lastname, mail_status, mail_key, date_added) VALUES (?, ?, 2, ?, ?, 1, 'legacykey', NOW())")
            ->execute([$email, $id, $first, $last]);
        return $id;
    }

    /**
     * modified's activation link in the newest mail to the address. modified mails 8bit, not quoted-printable,
     * so the raw text is read (decoding it would turn "=ac" of "action=activate" into a byte).
     */
    private function activationLink(string $email): string
    {
        $link = null;
        foreach ($this->web->mails() as $file) {
            $raw = (string) file_get_contents($file);
            if (preg_match('/^To:.*$/mi', $raw, $to) === 1 && stripos($to[0], $email) !== false
                && preg_match('~https?://[^\s"<>]+/newsletter\.php\?[^\s"<>]*action=activate[^\s"<>]*~', $raw, $m) === 1) {
                $link = html_entity_decode($m[0]);
            }
        }
        $this->assertNotNull($link, "an activation mail was captured for $email");
        return (string) $link;
    }

    /** Writes a newsletter to every customer group in the admin's newsletter module and sends it. */
    private function sendNewsletter(string $title, string $html): void
    {
        $b = $this->browser;
        $b->get($this->admin('module_newsletter.php', 'action=new'));
        $b->waitFor('form[name="edit_newsletter"] input[name="title"]');
        $b->type('form[name="edit_newsletter"] input[name="title"]', $title);
        $b->script('document.querySelectorAll("form[name=edit_newsletter] input[type=checkbox][name^=status]").forEach(function (c) { if (c.name !== "status_all") { c.checked = true; } });'
            . 'if (window.CKEDITOR && CKEDITOR.instances.newsletter_body) { CKEDITOR.instances.newsletter_body.setData(arguments[0]); }'
            . 'document.querySelector("form[name=edit_newsletter] textarea[name=newsletter_body]").value = arguments[0];', [$html]);
        $this->shot('07-newsletter-form');
        $b->click('form[name="edit_newsletter"] [type="submit"]');
        $q = $this->shop->pdo->prepare('SELECT MAX(newsletter_id) FROM module_newsletter WHERE title = ?');
        $deadline = microtime(true) + 10;
        do {
            usleep(200000);
            $q->execute([$title]);
            $id = (int) $q->fetchColumn();
        } while ($id === 0 && microtime(true) < $deadline);
        $this->assertGreaterThan(0, $id, "the newsletter $title was saved");
        $b->get($this->admin('module_newsletter.php', 'action=send&ID=' . $id));
        $status = $this->shop->pdo->prepare('SELECT status FROM module_newsletter WHERE newsletter_id = ?');
        $deadline = microtime(true) + 30;
        do {
            usleep(300000);
            $status->execute([$id]);
        } while ((int) $status->fetchColumn() !== 1 && microtime(true) < $deadline);
        $this->shot('08-newsletter-sent');
        $status->execute([$id]);
        $this->assertSame(1, (int) $status->fetchColumn(), 'modified finished sending: ' . substr($b->text('body'), 0, 500));
    }
}
