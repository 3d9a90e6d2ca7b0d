<?php
/**
 * dsgvo for Zen Cart product notifications: a sign-up (the product page's "Notify me of updates", the boxes
 * after checkout, "Global Product Notifications" on the account page) is recorded in dsgvo's ledger as consent
 * for the product notification type, with the wording the customer saw, before the shop stores it; when the
 * ledger write fails the shop stores nothing. Giving up every notification revokes the consent. The sending
 * side (admin Newsletter and Product Notifications Manager) is decided per recipient in DsgvoZenCart.
 */
require_once __DIR__ . '/DsgvoZenCart.php';

class DsgvoZenCartNotifications
{
    public static function type(): string
    {
        return DsgvoZenCart::setting('DSGVO_PRODUCT_NOTIFICATION_TYPE', 'product_notification');
    }

    /**
     * While a page that offers notifications is rendered (its language file loaded): what it shows, for the
     * sign-up that follows (the account page posts before its language file is loaded again).
     */
    public static function rememberWording(string $page): void
    {
        if ($page === 'checkout_success' && defined('TEXT_NOTIFY_PRODUCTS')) {
            $_SESSION['dsgvo_notify_wording']['checkout'] = DsgvoZenCart::shownText(TEXT_NOTIFY_PRODUCTS);
        } elseif ($page === 'account_notifications' && defined('GLOBAL_NOTIFICATIONS_DESCRIPTION')) {
            $_SESSION['dsgvo_notify_wording']['global'] = DsgvoZenCart::shownText(
                defined('GLOBAL_NOTIFICATIONS_TITLE') ? GLOBAL_NOTIFICATIONS_TITLE : '', GLOBAL_NOTIFICATIONS_DESCRIPTION);
        }
    }

    /**
     * extra_cart_actions, action=notify: the product page's link (products_id) or the boxes after checkout
     * (notify[]). Consent first; on failure the customer is told and sent back without the shop's sign-up.
     */
    public static function cartAction(): void
    {
        global $messageStack;
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        if (($_GET['action'] ?? '') !== 'notify' || $customerId <= 0 || zen_in_guest_checkout()) {
            return; // the shop sends a visitor to the login page
        }
        $ids = $_GET['products_id'] ?? $_GET['notify'] ?? $_POST['notify'] ?? [];
        $ids = array_values(array_filter(array_map('intval', is_array($ids) ? $ids : [$ids]), function (int $id): bool {
            return $id > 0;
        }));
        if ($ids === []) {
            return;
        }
        $names = array_map(function (int $id): string {
            return DsgvoZenCart::shownText(zen_get_products_name($id));
        }, $ids);
        if (isset($_POST['notify'])) {
            $source = 'checkout';
            $wording = ($_SESSION['dsgvo_notify_wording']['checkout'] ?? DSGVO_NOTIFY_PRODUCTS_FALLBACK) . ': ' . implode(', ', $names);
        } else {
            $source = 'account'; // a logged-in customer's own setting (the ledger has no "product" source)
            $wording = DsgvoZenCart::shownText(sprintf(BOX_NOTIFICATIONS_NOTIFY, $names[0]));
        }
        if (!self::grant($customerId, $source, $wording)) {
            $messageStack->add_session('header', DSGVO_NOTIFY_NOT_RECORDED, 'error');
            zen_redirect(zen_href_link($_GET['main_page'] ?? FILENAME_DEFAULT, zen_get_all_get_params(['action', 'notify', 'main_page'])));
        }
    }

    /**
     * NOTIFY_HEADER_START_ACCOUNT_NOTIFICATION, before the page stores the form: the global box ticked is a
     * consent (stored first, or the form is not stored); nothing left (no global box, no product kept) revokes.
     */
    public static function accountPage(): void
    {
        global $db, $messageStack;
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        if ($customerId <= 0 || ($_POST['action'] ?? '') !== 'process') {
            return;
        }
        $row = $db->Execute('SELECT global_product_notifications FROM ' . TABLE_CUSTOMERS_INFO . ' WHERE customers_info_id = ' . $customerId);
        $current = !$row->EOF && (string) $row->fields['global_product_notifications'] === '1';
        $posted = isset($_POST['product_global']) && is_numeric($_POST['product_global']) && (string) $_POST['product_global'] === '1';
        // The page's own rule: a box that differs from the stored flag flips it, and the product list stays.
        if ($posted !== $current) {
            if ($posted) {
                $wording = $_SESSION['dsgvo_notify_wording']['global'] ?? DSGVO_NOTIFY_GLOBAL_FALLBACK;
                if (!self::grant($customerId, 'account', $wording)) {
                    $messageStack->add_session('header', DSGVO_NOTIFY_NOT_RECORDED, 'error');
                    zen_redirect(zen_href_link(FILENAME_ACCOUNT_NOTIFICATIONS, '', 'SSL'));
                }
                return;
            }
            $kept = (int) $db->Execute('SELECT COUNT(*) AS n FROM ' . TABLE_PRODUCTS_NOTIFICATIONS . ' WHERE customers_id = ' . $customerId)->fields['n'];
        } else {
            $kept = $current ? 1 : count(array_filter((array) ($_POST['notify'] ?? []), 'is_numeric'));
        }
        if ($kept === 0) {
            self::revoke($customerId);
        }
    }

    private static function grant(int $customerId, string $source, string $wording): bool
    {
        try {
            DsgvoZenCart::store()->grantConsent($customerId, self::type(), DsgvoZenCart::proof($source, [
                'text' => $wording, 'text_version' => DsgvoZenCart::setting('DSGVO_TEXT_VERSION', '1'),
            ]));
            return true;
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: product notification sign-up of customer $customerId not recorded: " . $e->getMessage());
            return false;
        }
    }

    private static function revoke(int $customerId): void
    {
        try {
            $store = DsgvoZenCart::store();
            if ($store->hasConsent($customerId, self::type())) {
                $store->revokeConsent($customerId, self::type(), DsgvoZenCart::proof('account'));
            }
        } catch (\Dsgvo\Exception $e) {
            // The shop forgets the sign-ups anyway: with no product and no global flag nothing is sent.
            error_log("dsgvo: product notification withdrawal of customer $customerId not recorded: " . $e->getMessage());
        }
    }
}
