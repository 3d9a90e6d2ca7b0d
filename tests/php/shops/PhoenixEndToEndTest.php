<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use Dsgvo\Tests\Shops\Phoenix;
use Dsgvo\Tests\Shops\ShopEndToEnd;
use Dsgvo\Tests\Shops\ShopWeb;
use PHPUnit\Framework\TestCase;
use ZipArchive;

require_once __DIR__ . '/../support/WebDriver.php';
require_once __DIR__ . '/../support/shops/ShopWeb.php';
require_once __DIR__ . '/../support/shops/Phoenix.php';
require_once __DIR__ . '/../support/shops/ShopEndToEnd.php';

/**
 * integrations/phoenix in a real CE Phoenix 1.0.7.18, installed by its own installer from
 * ../shared/fixtures/shops, served by nginx and PHP-FPM with the extension, driven in headless Chromium:
 * the integration installed with its installer; sign-up with the newsletter box (the wording the page showed is
 * the proof), double opt-in, a sign-up while dsgvo's database is unreachable, an order with the consent box,
 * product notification sign-ups (product page box, checkout success, account page; also with dsgvo's database
 * unreachable), the account's newsletter page, Phoenix's Newsletter Manager (mail captured; the headers parsed
 * back; the plain module refused; the Product Notification module through dsgvo), Send Email to all customers,
 * the subscribers and one address, RFC 8058 one-click, Phoenix's own customer deletion (erasure first), export
 * and erasure from the admin's customer screen, a full dump scanned for the customer, and the uninstall leaving
 * the shop's files and tables as they were.
 * Screenshots and the decisions at each step go to target/e2e/phoenix/.
 */
final class PhoenixEndToEndTest extends TestCase
{
    private const SECRET = '3c9e1f7a2b5d8e0f4a6c1b3d5e7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f';
    private const PASSWORD = 'Kunde-Pass-2026!';
    private const ANNA = 'anna.ueberall@example.org';

    use ShopEndToEnd;

    /** @var Phoenix */
    private $shop;
    /** @var string the newsletter box's wording as the create-account page rendered it */
    private $shownLabel = '';

    public function testPhoenixIntegrationEndToEnd(): void
    {
        $this->startShopTest('phoenix', 'CE Phoenix', Phoenix::source() !== null, 'ce-phoenix-1.0.7.18');
        $parts = TestDatabase::parts(TestDatabase::baseDsn());
        $this->shop = Phoenix::install($this->web, $this->db->name, $parts, $this->db->dsn, ['dsgvo.secret' => self::SECRET]);
        $this->store = new Store(['dsn' => $this->db->dsn, 'shop' => 'oscommerce', 'secret' => self::SECRET]);
        $downloads = $this->out . '/work/downloads';
        mkdir($downloads);
        $this->browser = WebDriver::start($downloads, $this->web->browserArgs());
        $b = $this->browser;
        $base = $this->web->base;
        $this->assertSame(200, $this->web->request('GET', '/index.php')['status'], 'storefront home page');

        // The product page's notifications box (a module Phoenix ships, not installed by default), installed as
        // a shop owner would, in Modules > Boxes; then the shop before the integration: the uninstall must
        // restore its files and tables.
        $this->adminLogin();
        $b->get($this->admin('modules.php', 'set=boxes&module=bm_product_notifications&action=install'));
        $this->waitUntil(function (): bool {
            return (int) $this->shop->pdo->query("SELECT COUNT(*) FROM configuration WHERE configuration_key = 'MODULE_BOXES_PRODUCT_NOTIFICATIONS_STATUS'")->fetchColumn() === 1;
        }, 'the box module is installed');
        $filesBefore = $this->shop->files();
        $tablesBefore = $this->shopTables();

        // 0. Install with the integration's installer, as the shop's files' owner would. A wrong admin folder
        // stops it before anything is copied; a second install is refused.
        $this->runInstaller('install', 'is not the shop\'s admin folder', 1, 'admin');
        $this->assertSame($filesBefore, $this->shop->files(), 'a refused install copied nothing');
        $this->runInstaller('install', 'dsgvo installed');
        $this->runInstaller('install', 'installed here already', 1);
        $this->assertContains('newsletter', array_column($this->store->emailTypes(), 'type'), 'the installer defined the types');
        $this->assertSame(400, $this->web->request('GET', '/dsgvo_unsubscribe.php?t=x')['status'], 'the one-click page answers under the shop');
        $this->assertSame(400, $this->web->request('GET', '/dsgvo_confirm.php')['status'], 'the confirm page answers under the shop');

        // 1. Sign-up with the newsletter box: the flag stays 0, the ledger holds the wording the page showed.
        $anna = $this->register(self::ANNA, 'Anna', 'Überall', true, '01-signup');
        $this->assertSame(0, $this->shop->newsletterFlag($anna), 'the shop flag waits for the confirmation');
        $this->decision('after sign-up', $anna, 'newsletter', 'consent_pending');
        $history = $this->store->consentHistory($anna);
        $this->assertCount(1, $history);
        $this->assertSame('requested', $history[0]['action']);
        $this->assertSame('Newsletter Subscribe to Newsletter', $this->shownLabel, "the shop's own box (ENTRY_NEWSLETTER, ENTRY_NEWSLETTER_TEXT)");
        $this->assertSame($this->shownLabel, $history[0]['text'], 'the proof is the wording the sign-up page printed');

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
        $this->assertSame(400, $this->web->request('POST', $link, '', 'scanner')['status'], 'a used link answers 400');

        // 3. dsgvo's database unreachable at sign-up (this request only): account made, flag 0, a visible message.
        $b->get("$base/logoff.php");
        $b->addCookie('e2e_pool', 'down');
        $bert = $this->register('bert@example.org', 'Bert', 'Beispiel', true, '05-signup-db-down');
        $this->assertStringContainsString('could not be recorded', $b->text('body'), 'the customer is told');
        $b->deleteCookie('e2e_pool');
        $this->assertSame(0, $this->shop->newsletterFlag($bert), 'no ledger event, so no flag');
        $this->assertSame([], $this->store->consentHistory($bert));
        $this->decision('after sign-up with dsgvo unreachable', $bert, 'newsletter', 'no_consent');

        // 4. An order with the consent box.
        $this->login(self::ANNA);
        $order = $this->order();
        $this->assertGreaterThan(0, $order);
        $granted = $this->consentsFor($anna, 'review.request');
        $this->assertCount(1, $granted, 'the checkout box granted its purpose once');
        $this->assertSame('checkout', $granted[0]['source']);
        $this->assertStringContainsString('ask me by email for a review', (string) $granted[0]['text']);
        $this->decision('after the order with the box', $anna, 'review.request', 'consent');

        // 4b. The success page's product notification box (unticked by default), ticked for the product bought:
        // consent for product notifications with the page's heading and the product's name, before the shop
        // stores the sign-up.
        $this->decision('before the product notification sign-up', $anna, 'product_notification', 'no_consent');
        // With dsgvo's database unreachable (this request only) the ticked box is dropped, and she is told.
        $b->addCookie('e2e_pool', 'down');
        $b->script('document.querySelector("form[name=order] input[name=\'notify[]\']").checked = true;');
        $b->click('form[name="order"] [type="submit"]');
        $this->waitUntil(function () use ($b): bool {
            return strpos($b->currentUrl(), 'checkout_success') === false;
        }, 'the success page was sent');
        $b->deleteCookie('e2e_pool');
        $this->shot('07-checkout-notifications-db-down');
        $this->assertStringContainsString('could not be recorded', $b->text('body'), 'the customer is told');
        $this->assertSame(0, $this->notificationSignups($anna), 'no ledger event, so the shop stored no sign-up');
        $this->assertSame([], $this->consentsFor($anna, 'product_notification'));
        // The success page again (it shows the latest order), the box ticked with dsgvo reachable.
        $b->get("$base/checkout_success.php");
        $b->waitFor('form[name="order"] input[name="notify[]"]');
        $b->script('document.querySelector("form[name=order] input[name=\'notify[]\']").checked = true;');
        $this->shot('07-checkout-notifications');
        $b->click('form[name="order"] [type="submit"]');
        $this->waitUntil(function () use ($anna): bool {
            return $this->notificationSignups($anna) > 0;
        }, 'the shop stored the product notification');
        $signup = $this->consentsFor($anna, 'product_notification');
        $this->assertCount(1, $signup);
        $this->assertSame(['granted', 'checkout'], [$signup[0]['action'], $signup[0]['source']]);
        $bought = (string) $this->shop->pdo->query("SELECT products_name FROM orders_products WHERE orders_id = $order")->fetchColumn();
        $this->assertSame('Subscribe to updates on... ' . $bought, $signup[0]['text'], 'the heading and the product the page showed');
        $this->decision('after the sign-up on the success page', $anna, 'product_notification', 'consent');
        // The product page's box "Notify me of updates to …" for another product: its wording (source account),
        // recorded before the shop's action=notify stores it.
        $other = (int) $this->shop->pdo->query("SELECT products_id FROM products WHERE products_status = 1 AND products_id NOT IN (SELECT products_id FROM orders_products WHERE orders_id = $order) ORDER BY products_id LIMIT 1")->fetchColumn();
        $b->get("$base/product_info.php?products_id=$other");
        $b->waitFor('.bm-product-notifications a[href*="action=notify"]');
        $this->shot('07-product-box');
        [$offered, $href] = $b->script('var a = document.querySelector(".bm-product-notifications a[href*=\'action=notify\']"); return [a.textContent, a.href];');
        $b->get((string) $href);
        $this->waitUntil(function () use ($anna): bool {
            return $this->notificationSignups($anna) > 1;
        }, 'the shop stored the product notification of the box');
        $box = $this->consentsFor($anna, 'product_notification');
        $last = $box[count($box) - 1];
        $this->assertSame(['granted', 'account', trim((string) preg_replace('/\s+/', ' ', (string) $offered))], [$last['action'], $last['source'], $last['text']], 'the box\'s wording');
        $this->assertStringStartsWith('Notify me of updates to ', (string) $last['text']);

        // 5. The account's newsletter page: unticked is an objection; ticked again starts a new double opt-in.
        $this->toggleNewsletterBox('08-account-unsubscribed');
        $this->assertSame(0, $this->shop->newsletterFlag($anna));
        $this->decision('after unticking on the account page', $anna, 'newsletter', 'opted_out');
        $this->web->clearMail();
        $this->toggleNewsletterBox('09-account-subscribed-again');
        $this->assertSame(0, $this->shop->newsletterFlag($anna), 'ticked again: pending until confirmed, not the page\'s own 1');
        $this->decision('after ticking again', $anna, 'newsletter', 'opted_out');
        $b->get($this->confirmLink(self::ANNA));
        $b->click('#dsgvo-confirm-submit');
        $b->waitFor('#dsgvo-result.dsgvo-done');
        $this->assertSame(1, $this->shop->newsletterFlag($anna));
        $this->decision('after confirming again', $anna, 'newsletter', 'consent');

        // 6. Tools > Newsletter Manager. Carl has the shop's flag 1 from an old import, but no proof.
        $carl = $this->shopCustomer('carl@example.org', 'Carl', 'Altbestand', 1);
        $this->decision('legacy subscriber without proof', $carl, 'newsletter', 'no_consent');
        $this->web->clearMail();
        $plain = $this->newsletter('newsletter', 'Ohne dsgvo');
        $b->get($this->admin('newsletters.php', 'page=1&nID=' . $plain . '&action=send'));
        $b->waitFor('.alert-danger, .messageStackError, body');
        $this->shot('10-plain-module-refused');
        $this->assertStringContainsString('dsgvo is installed', $b->text('body'), 'the plain module may not send');
        $this->assertSame([], $this->web->mails(), 'and nothing was sent');
        $id = $this->newsletter('dsgvo_newsletter', 'Herbst-Newsletter');
        $b->get($this->admin('newsletters.php', 'page=1&nID=' . $id . '&action=send'));
        $b->waitFor('a[href*="action=confirm_send"]');
        $this->shot('10-newsletter-confirm');
        $b->click('a[href*="action=confirm_send"]');
        $b->waitFor('table, .alert', 60);
        $this->shot('10-newsletter-sent');
        $mails = $this->mailsTo();
        $this->assertSame([self::ANNA], array_keys($mails), 'only Anna (confirmed) got it; Carl (flag without proof) and Bert did not');
        $this->assertCount(1, $this->store->sendLog($anna), 'the send is logged');
        $this->assertSame('1', (string) $this->shop->pdo->query("SELECT status FROM newsletters WHERE newsletters_id = $id")->fetchColumn());

        // Customers > Send Email to "All Customers": advertising to a list, the same decisions.
        $this->web->clearMail();
        $this->sendEmail('***', 'Ein Angebot', '10-send-email');
        $direct = $this->mailsTo();
        $this->assertSame([self::ANNA], array_keys($direct), 'Send Email to all customers reaches only the customer dsgvo allows');
        $this->assertStringContainsString('List-Unsubscribe-Post: List-Unsubscribe=One-Click', $direct[self::ANNA]);
        $this->assertStringContainsString('sent to 1 customers; 2 skipped', $b->text('body'));
        $this->assertCount(2, $this->store->sendLog($anna), 'both sends are logged');
        // To the newsletter subscribers (the shop's flag 1: Anna, and Carl from an old import, without proof).
        $this->web->clearMail();
        $this->sendEmail('**D', 'Für Abonnenten', '10-send-email-subscribers');
        $this->assertSame([self::ANNA], array_keys($this->mailsTo()), 'Send Email to the subscribers reaches only Anna');
        $this->assertStringContainsString('sent to 1 customers; 1 skipped', $b->text('body'));
        // To one customer's address: decided the same way; Bert gave no consent, Anna did.
        $this->web->clearMail();
        $this->sendEmail('bert@example.org', 'Nur für Bert', '10-send-email-bert');
        $this->assertSame([], $this->web->mails(), 'Bert (no consent) gets no Send Email to his address');
        $this->assertStringContainsString('sent to 0 customers; 1 skipped', $b->text('body'));
        $this->sendEmail(self::ANNA, 'Nur für Anna', '10-send-email-anna');
        $single = $this->mailsTo();
        $this->assertSame([self::ANNA], array_keys($single));
        [$singleHeaders] = $this->parseMail($single[self::ANNA]);
        $this->assertStringNotContainsString('=?', $singleHeaders['list-unsubscribe'], 'no RFC 2047 encoded word');
        $this->assertSame('List-Unsubscribe=One-Click', $singleHeaders['list-unsubscribe-post'] ?? null);

        // Product notifications. Bert ticks "Global Product Notifications" on his account page: with dsgvo's
        // database unreachable the shop stores nothing; then the page's wording is recorded first. Unticked, the
        // consent is revoked; ticked again, granted. Carl has the shop's global flag from an old import only.
        $this->login('bert@example.org');
        $b->addCookie('e2e_pool', 'down');
        $this->toggleGlobalNotifications('10-notifications-db-down');
        $b->deleteCookie('e2e_pool');
        $this->assertStringContainsString('could not be recorded', $b->text('body'), 'the customer is told');
        $this->assertSame(0, $this->globalNotifications($bert), 'no ledger event, so the shop stored nothing');
        $this->toggleGlobalNotifications('10-notifications-global');
        $this->assertSame(1, $this->globalNotifications($bert));
        $global = $this->consentsFor($bert, 'product_notification');
        $this->assertSame(['granted', 'account', 'Global Product Notifications Receive notifications on all available products.'],
            [$global[0]['action'], $global[0]['source'], $global[0]['text']], 'the wording the account page showed');
        $this->decision('after ticking global notifications', $bert, 'product_notification', 'consent');
        $this->toggleGlobalNotifications('10-notifications-off');
        $this->assertSame(0, $this->globalNotifications($bert));
        $this->decision('after unticking them', $bert, 'product_notification', 'consent_revoked');
        $this->toggleGlobalNotifications('10-notifications-on-again');
        $this->decision('after ticking them again', $bert, 'product_notification', 'consent');
        $this->shop->pdo->exec("UPDATE customers_info SET global_product_notifications = 1 WHERE customers_info_id = $carl");
        $this->decision('product notifications, the shop flag only', $carl, 'product_notification', 'no_consent');
        // Tools > Newsletter Manager, module Product Notification, audience "Global": through dsgvo.
        $this->web->clearMail();
        $notice = $this->newsletter('product_notification', 'Neue Produkte');
        $b->get($this->admin('newsletters.php', 'page=1&nID=' . $notice . '&action=send'));
        $b->click('a[href*="global=true"]');
        $b->waitFor('form[name="confirm"] [type="submit"]');
        $this->shot('10-product-notification-confirm');
        $b->click('form[name="confirm"] [type="submit"]');
        $b->waitFor('.alert-success, .alert-danger');
        $this->shot('10-product-notification-sent');
        $this->assertStringContainsString('sent to 2 customers; 1 skipped', $b->text('body'));
        $notified = $this->mailsTo();
        $recipients = array_keys($notified);
        sort($recipients);
        $this->assertSame([self::ANNA, 'bert@example.org'], $recipients, 'Anna (product) and Bert (global) get it, not Carl');
        [$noticeHeaders] = $this->parseMail($notified['bert@example.org']);
        $this->assertMatchesRegularExpression('#^<https://shop\.test:\d+/dsgvo_unsubscribe\.php\?t=[A-Za-z0-9_.~-]+>$#', $noticeHeaders['list-unsubscribe']);
        $this->assertSame('List-Unsubscribe=One-Click', $noticeHeaders['list-unsubscribe-post'] ?? null);
        $this->assertSame('product_notification', $this->store->sendLog($anna)[0]['type'] ?? null, 'logged with its type');
        $this->assertSame('1', (string) $this->shop->pdo->query("SELECT status FROM newsletters WHERE newsletters_id = $notice")->fetchColumn(), 'marked sent');

        // 7. The captured mail's headers, parsed back: unencoded, valid, pointing at the shop's page.
        [$headers, $body] = $this->parseMail($mails[self::ANNA]);
        $this->assertStringNotContainsString('=?', $headers['list-unsubscribe'], 'no RFC 2047 encoded word');
        $this->assertMatchesRegularExpression('#^<https://shop\.test:\d+/dsgvo_unsubscribe\.php\?t=[A-Za-z0-9_.~-]+>$#', $headers['list-unsubscribe']);
        $this->assertSame('List-Unsubscribe=One-Click', $headers['list-unsubscribe-post'] ?? null);
        preg_match('~^<([^>]+)>$~', $headers['list-unsubscribe'], $m);
        $oneClick = $m[1];
        $this->assertStringContainsString($oneClick, $body, 'the visible unsubscribe link is in the mail');
        $this->assertStringContainsString('Herbstangebote', $body);
        $this->assertStringContainsString('You may object at any time', $body, 'the objection notice (noticeRequired)');

        // 8. RFC 8058 one-click: a POST from a mail client without cookies or session.
        $get = $this->web->request('GET', $oneClick, null, 'mailclient');
        $this->assertSame(200, $get['status']);
        $this->decision('after a GET of the link (scanner)', $anna, 'newsletter', 'consent');
        $post = $this->web->request('POST', $oneClick, 'List-Unsubscribe=One-Click', 'mailclient', ['Content-Type: application/x-www-form-urlencoded']);
        $this->assertSame(200, $post['status'], 'one-click answers 200 without a redirect');
        $this->decision('after one-click', $anna, 'newsletter', 'opted_out');
        $this->assertSame(0, $this->shop->newsletterFlag($anna));
        // Send Email to her address now: she objected, so nothing goes out.
        $this->web->clearMail();
        $this->sendEmail(self::ANNA, 'Noch ein Angebot', '10-send-email-objected');
        $this->assertSame([], $this->web->mails(), 'no Send Email to a customer who objected');
        $this->assertStringContainsString('sent to 0 customers; 1 skipped', $b->text('body'));

        // Phoenix's own "delete customer" runs dsgvo's erasure first: Dora's objection outlives her account.
        $dora = $this->register('dora@example.org', 'Dora', 'Delete', false, '10-dora');
        $this->store->optOut($dora, 'newsletter', ['source' => 'account']);
        $b->get($this->admin('customers.php', 'cID=' . $dora . '&action=confirm'));
        $b->waitFor('form[name="customers"] button.btn-danger');
        $this->shot('10-admin-delete-confirm');
        $b->click('form[name="customers"] button.btn-danger');
        $this->waitUntil(function (): bool {
            return $this->shop->customerId('dora@example.org') === 0;
        }, 'Phoenix deleted the account');
        $this->assertCount(1, $this->store->requestLog(['kind' => 'erasure']), 'dsgvo erased its data of her first');
        $again = $this->shopCustomer('dora@example.org', 'Dora', 'Delete', 1);
        $d = $this->store->maySend($again, 'newsletter');
        $this->decisions[] = sprintf('%-45s customer %d %-16s %s (%s)', 'new account with the deleted address', $again, 'newsletter', $d->allowed ? 'allowed' : 'denied', $d->reason);
        $this->assertContains($d->reason, ['suppressed', 'opted_out'], 'the address stays blocked');

        // 9. Export and erasure from the admin's customer screen.
        $b->get($this->admin('customers.php', 'cID=' . $anna . '&action=edit'));
        $b->waitFor('#dsgvo-customer-button');
        $this->shot('11-admin-customer-edit');
        $b->click('#dsgvo-customer-button');
        $b->waitFor('#dsgvo-decisions');
        $this->shot('12-admin-dsgvo');
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
        $b->waitFor('#dsgvo-erased, #dsgvo-error');
        $this->shot('13-admin-erased');
        $this->assertFalse($b->has('#dsgvo-error'), $b->has('#dsgvo-error') ? $b->text('#dsgvo-error') : '');
        $retained = [];
        foreach ($b->findAll('#dsgvo-retained tr.retained') as $i => $unused) {
            $retained[] = (string) $b->script('return document.querySelectorAll("#dsgvo-retained tr.retained")[arguments[0]].dataset.table;', [$i]);
        }
        $this->assertContains('orders', $retained, 'orders are kept (tax law) and reported');
        $this->decision('after erasure', $anna, 'newsletter', 'unknown_customer');

        // 10. A full dump: Anna's data only in the tables the erasure reported as retained.
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

        // 11. Uninstall: the shop's files and tables as before; dsgvo's own tables (proof) stay.
        $this->runInstaller('uninstall', 'dsgvo removed');
        $this->assertSame($filesBefore, $this->shop->files(), 'the uninstall left the shop\'s files as they were');
        $this->assertSame($tablesBefore, $this->shopTables(), 'the integration changed no shop table of hooks or configuration');
        $this->assertSame(200, $this->web->request('GET', '/index.php')['status'], 'the shop still answers');
        $this->assertSame(404, $this->web->request('GET', '/dsgvo_unsubscribe.php?t=x')['status']);
        $this->assertTrue($this->store->verifyLedger()['ok']);

        // The shop's own PHP 8.2 deprecations are in its log; nothing of the integration is.
        $errors = implode("\n", preg_grep('/dsgvo/i', explode("\n", $this->web->phpErrors())) ?: []);
        $this->assertDoesNotMatchRegularExpression('/PHP (Fatal|Warning|Parse|Deprecated|Notice)/', $errors, $errors);
    }

    private static function phone(string $email): string
    {
        return '030 ' . (1000000 + crc32($email) % 9000000);
    }

    private function admin(string $page, string $query = ''): string
    {
        return $this->web->base . '/' . Phoenix::ADMIN_DIR . '/' . $page . ($query !== '' ? '?' . $query : '');
    }

    private function runInstaller(string $command, string $expected, int $exitCode = 0, string $adminDir = Phoenix::ADMIN_DIR): void
    {
        $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . Php::extensionPath(), '-d', 'dsgvo.dsn=' . $this->db->dsn, '-d', 'dsgvo.secret=' . self::SECRET,
            '-d', 'dsgvo.shop=oscommerce', dirname(__DIR__, 3) . '/integrations/phoenix/install.php', $command, $this->web->docroot, $adminDir];
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        $this->assertSame($exitCode, proc_close($proc), "install.php $command: $out");
        $this->assertStringContainsString($expected, (string) $out);
    }

    /** @return array<string, list<string>> the shop tables an integration might touch, as rows */
    private function shopTables(): array
    {
        $state = [];
        foreach (['configuration' => 'configuration_key', 'hooks' => 'CONCAT_WS(" ", hooks_site, hooks_group, hooks_action, hooks_code, hooks_class, hooks_method)'] as $table => $cols) {
            $state[$table] = $this->shop->pdo->query("SELECT $cols FROM $table ORDER BY 1")->fetchAll(\PDO::FETCH_COLUMN);
        }
        return $state;
    }

    private function adminLogin(): void
    {
        $b = $this->browser;
        $b->get($this->admin('login.php'));
        $b->waitFor('form[name="login"] input[name="username"]');
        $b->type('form[name="login"] input[name="username"]', Phoenix::ADMIN_USER);
        $b->type('form[name="login"] input[name="password"]', Phoenix::ADMIN_PASSWORD);
        $this->clickAndWaitForNextPage('form[name="login"] [type="submit"], form[name="login"] button');
        if ($b->has('form[name="login"] input[name="username"]')) {
            // The first login request only sets the cookie (README): the second one logs in.
            $b->type('form[name="login"] input[name="username"]', Phoenix::ADMIN_USER);
            $b->type('form[name="login"] input[name="password"]', Phoenix::ADMIN_PASSWORD);
            $this->clickAndWaitForNextPage('form[name="login"] [type="submit"], form[name="login"] button');
        }
        $this->shot('00-admin');
        $this->assertFalse($b->has('form[name="login"] input[name="password"]'), 'admin login: ' . substr($b->text('body'), 0, 500));
    }

    /** Creates an account through the storefront's form; returns its id. */
    private function register(string $email, string $first, string $last, bool $newsletter, string $shot): int
    {
        $b = $this->browser;
        $b->get($this->web->base . '/create_account.php');
        $b->waitFor('form[name="create_account"] input[name="firstname"]');
        if ($this->shownLabel === '') {
            $shown = (string) $b->script('return document.getElementById("inputNewsletter").closest(".form-group").innerText;');
            $this->shownLabel = trim((string) preg_replace('/[\s\x{00A0}]+/u', ' ', $shown));
        }
        $fields = ['firstname' => $first, 'lastname' => $last, 'street_address' => $first . 'straße 5', 'city' => 'Berlin',
            'postcode' => '10115', 'telephone' => self::phone($email), 'email_address' => $email, 'password' => self::PASSWORD,
            'password_confirmation' => self::PASSWORD];
        foreach ($fields as $name => $value) {
            $b->type("form[name=\"create_account\"] input[name=\"$name\"]", $value);
        }
        $b->script('var c = document.querySelector("select[name=country_id]"); c.value = "81"; c.dispatchEvent(new Event("change"));'
            . 'var s = document.querySelector("[name=state]"); if (s && s.tagName === "SELECT") { for (var i = 0; i < s.options.length; i++) { if (s.options[i].text === "Berlin") { s.selectedIndex = i; } } } else if (s) { s.value = "Berlin"; }');
        if ($newsletter) {
            $b->click('#inputNewsletter');
        }
        $b->click('#inputMATC');
        $this->shot($shot . '-form');
        $b->click('form[name="create_account"] button[type="submit"], form[name="create_account"] [type="submit"]');
        $b->waitFor('body');
        usleep(300000);
        $this->shot($shot . '-done');
        $id = $this->shop->customerId($email);
        if ($id === 0) {
            $this->fail("account $email not created: " . substr($b->text('body'), 0, 1500));
        }
        return $id;
    }

    /** Customers > Send Email to an audience (***, **D or one customer's address), through the preview. */
    private function sendEmail(string $audience, string $subject, string $shot): void
    {
        $b = $this->browser;
        $b->get($this->admin('mail.php'));
        $b->waitFor('form[name="mail"] select[name="customers_email_address"]');
        $b->script('document.querySelector("select[name=customers_email_address]").value = arguments[0];'
            . 'document.querySelector("form[name=mail] textarea[name=message]").value = "Ein Angebot nur für Sie.";', [$audience]);
        $b->type('form[name="mail"] input[name="subject"]', $subject);
        $b->click('form[name="mail"] button[type="submit"], form[name="mail"] [type="submit"]');
        $b->waitFor('form[name="mail"] input[type="hidden"][name="subject"]');
        $this->shot($shot . '-preview');
        $b->click('form[name="mail"] button[type="submit"], form[name="mail"] [type="submit"]');
        $b->waitFor('.alert');
        $this->shot($shot . '-sent');
    }

    private function globalNotifications(int $customerId): int
    {
        return (int) $this->shop->pdo->query("SELECT global_product_notifications FROM customers_info WHERE customers_info_id = $customerId")->fetchColumn();
    }

    private function notificationSignups(int $customerId): int
    {
        return (int) $this->shop->pdo->query("SELECT COUNT(*) FROM products_notifications WHERE customers_id = $customerId")->fetchColumn();
    }

    /** Account > Newsletter subscriptions: flips the box and saves. */
    private function toggleNewsletterBox(string $shot): void
    {
        $this->toggleAccountBox('account_newsletters.php', 'account_newsletter', '#inputNewsletter', $shot);
    }

    /** Account > Product notifications: flips "Global Product Notifications" and saves. */
    private function toggleGlobalNotifications(string $shot): void
    {
        $this->toggleAccountBox('account_notifications.php', 'account_notifications', '#inputGlobalNotification', $shot);
    }

    /** Opens an account page, flips one box of its form and submits it. */
    private function toggleAccountBox(string $page, string $form, string $box, string $shot): void
    {
        $b = $this->browser;
        $b->get($this->web->base . '/' . $page);
        $b->waitFor("form[name=\"$form\"] $box");
        $b->click("form[name=\"$form\"] $box");
        $b->click("form[name=\"$form\"] [type=\"submit\"]");
        $b->waitFor('body');
        usleep(200000);
        $this->shot($shot);
    }

    private function login(string $email): void
    {
        $b = $this->browser;
        $b->get($this->web->base . '/logoff.php');
        $b->get($this->web->base . '/login.php');
        $b->waitFor('form[name="login"] input[name="email_address"]');
        $b->type('form[name="login"] input[name="email_address"]', $email);
        $b->type('form[name="login"] input[name="password"]', self::PASSWORD);
        $b->click('form[name="login"] [type="submit"]');
        // Until the login's redirect has landed: a get() before it raced that redirect (seen under load: the
        // product page of the next step became index.php).
        $this->waitUntil(function () use ($b): bool {
            return strpos($b->currentUrl(), 'login.php') === false;
        }, "logged in as $email");
    }

    /** Places an order through the storefront (flat rate, cash on delivery) with the consent box ticked. */
    private function order(): int
    {
        $b = $this->browser;
        $base = $this->web->base;
        $product = (int) $this->shop->pdo->query('SELECT products_id FROM products WHERE products_status = 1 AND products_quantity > 0 AND products_price > 0 ORDER BY products_id LIMIT 1')->fetchColumn();
        $b->get("$base/product_info.php?products_id=$product");
        $b->click('form[name="cart_quantity"] [type="submit"]');
        // The cart page itself, so the next get() does not race the add-to-cart POST.
        $this->waitUntil(function () use ($b): bool {
            return strpos($b->currentUrl(), 'shopping_cart.php') !== false;
        }, 'the product is in the cart');
        $b->get("$base/checkout_shipping.php");
        $b->waitFor('form[name="checkout_address"]');
        $this->shot('06-checkout-shipping');
        $b->click('form[name="checkout_address"] [type="submit"]');
        $b->waitFor('#dsgvo-checkout-box');
        $b->script('var p = document.querySelector("input[name=payment][value=cod]"); if (p) { p.checked = true; }');
        $b->click('#dsgvo-checkout-box');
        $this->shot('06-checkout-payment');
        $b->click('form[name="checkout_payment"] [type="submit"]');
        $b->waitFor('form[name="checkout_confirmation"]');
        $b->click('#inputMATC'); // the shop's own terms box
        $b->click('form[name="checkout_confirmation"] [type="submit"]');
        $b->waitFor('body');
        usleep(300000);
        $this->shot('07-checkout-success');
        $this->assertStringContainsString('checkout_success', $b->currentUrl(), 'the order went through: ' . substr($b->text('body'), 0, 800));
        return (int) $this->shop->pdo->query('SELECT MAX(orders_id) FROM orders')->fetchColumn();
    }

    /** A customer row written straight into the shop (e.g. an old import). */
    private function shopCustomer(string $email, string $first, string $last, int $newsletter): int
    {
        $pdo = $this->shop->pdo;
        $pdo->prepare('INSERT INTO customers (customers_firstname, customers_lastname, customers_email_address, customers_telephone, customers_newsletter, customers_password) VALUES (?, ?, ?, ?, ?, ?)')
            ->execute([$first, $last, $email, '0301111', $newsletter, password_hash('x', PASSWORD_DEFAULT)]);
        $id = (int) $pdo->lastInsertId();
        $pdo->prepare('INSERT INTO customers_info (customers_info_id, customers_info_date_account_created) VALUES (?, NOW())')->execute([$id]);
        return $id;
    }

    /** Writes a newsletter with the given module in Tools > Newsletter Manager and locks it; returns its id. */
    private function newsletter(string $module, string $title): int
    {
        $b = $this->browser;
        $b->get($this->admin('newsletters.php', 'action=new'));
        $b->waitFor('form[name="newsletter"] input[name="title"]');
        $b->script('document.querySelector("form[name=newsletter] select[name=module]").value = arguments[0];'
            . 'document.querySelector("form[name=newsletter] textarea[name=content]").value = arguments[1];',
            [$module, "Liebe Kundin, lieber Kunde,\nunsere Herbstangebote sind da."]);
        $b->type('form[name="newsletter"] input[name="title"]', $title);
        $b->click('form[name="newsletter"] [type="submit"]');
        $q = $this->shop->pdo->prepare('SELECT MAX(newsletters_id) FROM newsletters WHERE title = ?');
        $deadline = microtime(true) + 10;
        do {
            usleep(100000);
            $q->execute([$title]);
            $id = (int) $q->fetchColumn();
        } while ($id === 0 && microtime(true) < $deadline);
        $this->assertGreaterThan(0, $id, "the newsletter $title was saved");
        $b->get($this->admin('newsletters.php', 'page=1&nID=' . $id . '&action=lock'));
        $b->waitFor('body');
        return $id;
    }

    /** The newest double opt-in link mailed to the address. */
    private function confirmLink(string $email): string
    {
        return $this->linkMailedTo($email, '~https://[^\\s"<>]+/dsgvo_confirm\\.php\\?[^\\s"<>]+~');
    }
}
