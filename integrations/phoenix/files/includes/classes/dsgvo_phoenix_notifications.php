<?php
/**
 * dsgvo for CE Phoenix product notifications. A sign-up (the product page's box, the boxes on the checkout
 * success page, "Global Product Notifications" on the account page) is recorded as consent for the product notification type, with
 * the wording the customer saw, before the shop stores it; when the ledger write fails the shop stores
 * nothing. Giving up every notification revokes the consent. The admin's Product Notification module sends
 * through dsgvo_phoenix::sendMarketing(), so only customers with that consent get it.
 */
class dsgvo_phoenix_notifications
{
    public const TYPE = 'product_notification';

    /**
     * injectRedirects (the page is rendering, its language files and boxes loaded): the wording the account
     * page and the product page's box show, for the request that signs up (handled before they are loaded).
     */
    public static function rememberWording(): void
    {
        $page = dsgvo_phoenix::page();
        if ($page === 'account_notifications' && defined('GLOBAL_NOTIFICATIONS_DESCRIPTION')) {
            $_SESSION['dsgvo_notify_wording'] = dsgvo_phoenix::shownText(
                defined('GLOBAL_NOTIFICATIONS_TITLE') ? GLOBAL_NOTIFICATIONS_TITLE : '', GLOBAL_NOTIFICATIONS_DESCRIPTION);
        } elseif ($page === 'product_info' && (int) ($_GET['products_id'] ?? 0) > 0 && defined('MODULE_BOXES_PRODUCT_NOTIFICATIONS_BOX_NOTIFY')) {
            $id = (int) $_GET['products_id'];
            $_SESSION['dsgvo_notify_box'][$id] = dsgvo_phoenix::shownText(sprintf(MODULE_BOXES_PRODUCT_NOTIFICATIONS_BOX_NOTIFY, tep_get_products_name($id)));
        }
    }

    /**
     * startApplication, before parse_actions: action=notify (the product page's box) is consent with the box's
     * wording first; on failure the customer is told and sent back without the shop's sign-up.
     */
    public static function productAction(): void
    {
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        if (($_GET['action'] ?? '') !== 'notify' || $customerId <= 0 || !dsgvo_phoenix::available()) {
            return; // the shop sends a visitor to the login page
        }
        $ids = $_GET['products_id'] ?? $_GET['notify'] ?? $_POST['notify'] ?? [];
        $ids = array_values(array_filter(array_map('intval', (array) $ids), function (int $id): bool {
            return $id > 0;
        }));
        if ($ids === []) {
            return;
        }
        dsgvo_phoenix::texts();
        $wording = [];
        foreach ($ids as $id) {
            $wording[] = $_SESSION['dsgvo_notify_box'][$id] ?? dsgvo_phoenix::shownText(sprintf(DSGVO_NOTIFY_BOX_FALLBACK, tep_get_products_name($id)));
        }
        if (!self::grant($customerId, 'account', implode(' ', $wording))) {
            $GLOBALS['messageStack']->add_session('header', DSGVO_NOTIFY_NOT_RECORDED, 'error');
            tep_redirect(tep_href_link($GLOBALS['PHP_SELF'], tep_get_all_get_params(['action', 'notify'])));
        }
    }

    /**
     * checkout_success siteWideStart, before the shop's cm_cs_product_notifications (code "notify") stores the
     * ticked products: consent with the box's heading and the names the page listed; on failure no product.
     */
    public static function checkoutSuccess(): void
    {
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        $ticked = is_array($_POST['notify'] ?? null) ? array_values(array_unique(array_filter(array_map('intval', $_POST['notify'])))) : [];
        if ($customerId <= 0 || ($_GET['action'] ?? '') !== 'update' || $ticked === [] || !dsgvo_phoenix::available()) {
            return;
        }
        $global = tep_db_fetch_array(tep_db_query('SELECT global_product_notifications FROM customers_info WHERE customers_info_id = ' . $customerId));
        if (($global['global_product_notifications'] ?? '') === '1') {
            return; // the shop ignores the boxes then
        }
        dsgvo_phoenix::texts();
        // The names as the page listed them: the products of the customer's latest order.
        $names = [];
        $query = tep_db_query('SELECT DISTINCT op.products_id, op.products_name FROM orders_products op WHERE op.orders_id = '
            . '(SELECT MAX(orders_id) FROM orders WHERE customers_id = ' . $customerId . ') AND op.products_id IN (' . implode(',', $ticked) . ') ORDER BY op.products_name');
        while ($row = tep_db_fetch_array($query)) {
            $names[] = dsgvo_phoenix::shownText((string) $row['products_name']);
        }
        $heading = defined('MODULE_CONTENT_CHECKOUT_SUCCESS_PRODUCT_NOTIFICATIONS_TEXT_NOTIFY_PRODUCTS')
            ? MODULE_CONTENT_CHECKOUT_SUCCESS_PRODUCT_NOTIFICATIONS_TEXT_NOTIFY_PRODUCTS : DSGVO_NOTIFY_PRODUCTS_FALLBACK;
        if (!self::grant($customerId, 'checkout', dsgvo_phoenix::shownText($heading) . ' ' . implode(', ', $names))) {
            $_POST['notify'] = [];
            $GLOBALS['messageStack']->add_session('header', DSGVO_NOTIFY_NOT_RECORDED, 'error');
        }
    }

    /**
     * injectAppTop on account_notifications.php, before the page stores the form: the global box ticked is a
     * consent (first, or the form is not stored); nothing left (no global box, no product kept) revokes it.
     */
    public static function accountPage(): void
    {
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        if ($customerId <= 0 || !tep_validate_form_action_is('process')) {
            return;
        }
        dsgvo_phoenix::texts();
        $row = tep_db_fetch_array(tep_db_query('SELECT global_product_notifications FROM customers_info WHERE customers_info_id = ' . $customerId));
        $current = ($row['global_product_notifications'] ?? '') === '1';
        $posted = (string) ($_POST['product_global'] ?? '0') === '1';
        // The page's own rule: a box that differs from the stored flag flips it, and the product list stays.
        if ($posted !== $current) {
            if ($posted) {
                if (!self::grant($customerId, 'account', (string) ($_SESSION['dsgvo_notify_wording'] ?? DSGVO_NOTIFY_GLOBAL_FALLBACK))) {
                    $GLOBALS['messageStack']->add_session('header', DSGVO_NOTIFY_NOT_RECORDED, 'error');
                    tep_redirect(tep_href_link('account_notifications.php', '', 'SSL'));
                }
                return;
            }
            $kept = (int) tep_db_fetch_array(tep_db_query('SELECT COUNT(*) AS n FROM products_notifications WHERE customers_id = ' . $customerId))['n'];
        } else {
            $kept = $current ? 1 : count(array_filter((array) ($_POST['products'] ?? []), 'is_numeric'));
        }
        if ($kept === 0) {
            self::revoke($customerId);
        }
    }

    /**
     * newsletters.php preAction, confirm_send of a "product_notification" newsletter: its audience (customers
     * of the chosen products, or of any product with global=true, and those with the global flag) is sent
     * through dsgvo, then the page's own sending is skipped.
     */
    public static function sendNewsletter(int $newsletterId, string $title, string $content): void
    {
        $ids = [];
        $chosen = array_values(array_filter(array_map('intval', (array) ($_POST['chosen'] ?? []))));
        if (($_POST['global'] ?? '') === 'true' || $chosen !== []) {
            $query = tep_db_query('SELECT DISTINCT customers_id FROM products_notifications'
                . (($_POST['global'] ?? '') === 'true' ? '' : ' WHERE products_id IN (' . implode(',', $chosen) . ')'));
            while ($row = tep_db_fetch_array($query)) {
                $ids[(int) $row['customers_id']] = true;
            }
        }
        $query = tep_db_query('SELECT customers_info_id FROM customers_info WHERE global_product_notifications = 1');
        while ($row = tep_db_fetch_array($query)) {
            $ids[(int) $row['customers_info_id']] = true;
        }
        dsgvo_phoenix::sendListed(array_keys($ids), self::TYPE, $title, $content, 'newsletters.php', 'nID=' . $newsletterId,
            static function () use ($newsletterId): void {
                tep_db_query('UPDATE newsletters SET date_sent = NOW(), status = 1 WHERE newsletters_id = ' . $newsletterId);
            });
    }

    private static function grant(int $customerId, string $source, string $wording): bool
    {
        try {
            dsgvo_phoenix::store()->grantConsent($customerId, self::TYPE, dsgvo_phoenix::proof($source, ['text' => $wording, 'text_version' => DSGVO_TEXT_VERSION]));
            return true;
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: product notification sign-up of customer $customerId not recorded: " . $e->getMessage());
            return false;
        }
    }

    private static function revoke(int $customerId): void
    {
        try {
            $store = dsgvo_phoenix::store();
            if ($store->hasConsent($customerId, self::TYPE)) {
                $store->revokeConsent($customerId, self::TYPE, dsgvo_phoenix::proof('account'));
            }
        } catch (\Dsgvo\Exception $e) {
            // The shop forgets the sign-ups anyway: with no product and no global flag nothing is sent.
            error_log("dsgvo: product notification withdrawal of customer $customerId not recorded: " . $e->getMessage());
        }
    }
}
