<?php
/**
 * dsgvo storefront hooks: the newsletter box at sign-up and on the account page (double opt-in, the shop's flag
 * only after the ledger write), the consent box at checkout (granted once the order exists), and Zen Cart's own
 * addr= unsubscribe page (the objection for the address as typed, "+" included), and the account's product
 * notifications page (DsgvoZenCartNotifications; the other sign-ups go through extra_cart_actions/dsgvo.php).
 */
require_once __DIR__ . '/../dsgvo/DsgvoZenCart.php';
require_once __DIR__ . '/../dsgvo/DsgvoZenCartNotifications.php';

class zcObserverDsgvo extends base
{
    public function __construct()
    {
        if (!class_exists('Dsgvo\Store')) {
            error_log('dsgvo: the dsgvo extension is not loaded; the DSGVO plugin does nothing');
            return;
        }
        $this->attach($this, [
            'NOTIFY_MODULE_CREATE_ACCOUNT_ADDED_CUSTOMER_RECORD',
            'NOTIFY_HEADER_ACCOUNT_NEWSLETTER_UPDATED',
            'NOTIFY_HEADER_END_CHECKOUT_PAYMENT',
            'NOTIFY_HEADER_START_CHECKOUT_CONFIRMATION',
            'NOTIFY_HEADER_END_CHECKOUT_PROCESS',
            'NOTIFY_HEADER_END_UNSUBSCRIBE',
            'NOTIFY_HEADER_START_ACCOUNT_NOTIFICATION',
            'NOTIFY_HEADER_END_ACCOUNT_NOTIFICATION',
            'NOTIFY_HEADER_END_CHECKOUT_SUCCESS',
        ]);
    }

    public function update(&$class, $eventID, $p1, &$p2, &$p3, &$p4)
    {
        switch ($eventID) {
            case 'NOTIFY_MODULE_CREATE_ACCOUNT_ADDED_CUSTOMER_RECORD':
                // Customer::create() has stored the box's value already; it becomes 1 only on confirmation.
                if (!empty($p1['customers_newsletter']) || !empty($_POST['newsletter'])) {
                    $this->subscribe((int) $p1['customer_id'], 'account', 'header');
                }
                break;
            case 'NOTIFY_HEADER_ACCOUNT_NEWSLETTER_UPDATED':
                $this->accountSetting((int) $_SESSION['customer_id'], (string) $p1 === '1');
                break;
            case 'NOTIFY_HEADER_END_CHECKOUT_PAYMENT':
                ob_start([$this, 'checkoutBox']);
                break;
            case 'NOTIFY_HEADER_START_CHECKOUT_CONFIRMATION':
                if (isset($_POST['dsgvo_checkout_consent'])) {
                    $_SESSION['dsgvo_checkout_consent'] = $_POST['dsgvo_checkout_consent'] === '1';
                }
                break;
            case 'NOTIFY_HEADER_END_CHECKOUT_PROCESS':
                $this->checkoutConsent((int) ($_SESSION['customer_id'] ?? 0), (int) $p1);
                break;
            case 'NOTIFY_HEADER_END_UNSUBSCRIBE':
                $this->shopUnsubscribe();
                break;
            case 'NOTIFY_HEADER_START_ACCOUNT_NOTIFICATION':
                DsgvoZenCartNotifications::accountPage();
                break;
            case 'NOTIFY_HEADER_END_ACCOUNT_NOTIFICATION':
                DsgvoZenCartNotifications::rememberWording('account_notifications');
                break;
            case 'NOTIFY_HEADER_END_CHECKOUT_SUCCESS':
                DsgvoZenCartNotifications::rememberWording('checkout_success');
                break;
        }
    }

    /** Newsletter wanted: flag 0, double opt-in started with the wording the sign-up form printed. */
    private function subscribe(int $customerId, string $source, string $messageClass): bool
    {
        global $messageStack;
        DsgvoZenCart::setNewsletterFlag($customerId, 0);
        $wording = DsgvoZenCart::shownText(ENTRY_NEWSLETTER, defined('ENTRY_NEWSLETTER_TEXT') ? (string) ENTRY_NEWSLETTER_TEXT : '');
        try {
            DsgvoZenCart::startNewsletterOptIn($customerId, $wording, $source);
            $messageStack->add_session($messageClass, DSGVO_TEXT_CHECK_YOUR_MAIL, 'success');
            return true;
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: newsletter opt-in of customer $customerId not started: " . $e->getMessage());
            $messageStack->add_session($messageClass, DSGVO_TEXT_NOT_RECORDED, 'error');
            $messageStack->add_session('header', DSGVO_TEXT_NOT_RECORDED, 'error');
            return false;
        }
    }

    private function accountSetting(int $customerId, bool $wanted): void
    {
        global $messageStack;
        $type = DsgvoZenCart::setting('DSGVO_NEWSLETTER_TYPE', 'newsletter');
        try {
            $store = DsgvoZenCart::store();
            if ($wanted) {
                if ($store->hasConsent($customerId, $type) && !$store->isOptedOut($customerId, $type)) {
                    return;
                }
                $this->subscribe($customerId, 'account', 'newsletter');
                return;
            }
            // Unticked: an objection (also for the address) and, for a consent-based type, a revocation.
            $store->optOut($customerId, $type, DsgvoZenCart::proof('account'));
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: newsletter setting of customer $customerId not recorded: " . $e->getMessage());
            $messageStack->add_session('newsletter', DSGVO_TEXT_NOT_RECORDED, 'error');
            if (!$wanted) {
                return; // the shop stored 0: no mail goes out without dsgvo's consent anyway
            }
            DsgvoZenCart::setNewsletterFlag($customerId, 0);
        }
    }

    /** Output filter of checkout_payment: the consent box after the order comments, the label as defined. */
    public function checkoutBox(string $html): string
    {
        $box = '<div class="dsgvo-consent" id="dsgvo-checkout-consent">'
            . '<input type="hidden" name="dsgvo_checkout_consent" value="0">'
            . '<input type="checkbox" name="dsgvo_checkout_consent" value="1" id="dsgvo-checkout-box"> '
            . '<label class="checkboxLabel" for="dsgvo-checkout-box">' . DSGVO_CHECKOUT_BOX_LABEL . '</label></div>';
        $comments = stripos($html, 'name="comments"');
        $at = $comments === false ? false : stripos($html, '</textarea>', $comments);
        if ($at === false) {
            return $html;
        }
        return substr($html, 0, $at + 11) . $box . substr($html, $at + 11);
    }

    private function checkoutConsent(int $customerId, int $orderId): void
    {
        $ticked = !empty($_SESSION['dsgvo_checkout_consent']);
        unset($_SESSION['dsgvo_checkout_consent']);
        if (!$ticked || $customerId <= 0) {
            return;
        }
        $purpose = DsgvoZenCart::setting('DSGVO_CHECKOUT_PURPOSE', 'review.request');
        try {
            $store = DsgvoZenCart::store();
            if (!$store->hasConsent($customerId, $purpose)) {
                $store->grantConsent($customerId, $purpose, DsgvoZenCart::proof('checkout', [
                    'text' => DsgvoZenCart::shownText(DSGVO_CHECKOUT_BOX_LABEL),
                    'text_version' => DsgvoZenCart::setting('DSGVO_TEXT_VERSION', '1'),
                ]));
            }
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: checkout consent of customer $customerId (order $orderId) not recorded: " . $e->getMessage());
        }
    }

    /**
     * Zen Cart's own unsubscribe page (the link in its newsletters) strips everything but [0-9A-Za-z@._-] from
     * the address, so anna+news@ would become annanews@. The address as sent (init_sanitize has checked it
     * with FILTER_VALIDATE_EMAIL) gets the objection, and its accounts' flags go to 0.
     */
    private function shopUnsubscribe(): void
    {
        global $db;
        if (($_GET['action'] ?? '') !== 'unsubscribe' || !is_string($_GET['addr'] ?? null) || $_GET['addr'] === '') {
            return;
        }
        $address = (string) $_GET['addr'];
        try {
            $store = DsgvoZenCart::store();
            $store->optOutEmail($address, DsgvoZenCart::setting('DSGVO_NEWSLETTER_TYPE', 'newsletter'), DsgvoZenCart::proof('link'));
            foreach ($store->findCustomers($address, 50) as $account) {
                DsgvoZenCart::setNewsletterFlag((int) $account['customer_id'], 0);
            }
        } catch (\Dsgvo\Exception $e) {
            error_log('dsgvo: unsubscribe by address not recorded: ' . $e->getMessage());
        }
    }
}
