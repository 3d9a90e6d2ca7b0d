<?php
/**
 * dsgvo admin hooks: every recipient of a marketing mail sent from the admin (Newsletter module, product
 * notifications, Customers > Send Email) is decided by dsgvo before zen_mail() sends; allowed mail gets the
 * List-Unsubscribe pair and the notice, and is logged; the customer screen links to the DSGVO page; Zen Cart's own
 * customer deletion first erases dsgvo's data of the customer (objections become suppressions).
 */
require_once __DIR__ . '/../../../../catalog/includes/classes/dsgvo/DsgvoZenCart.php';

class zcObserverDsgvoAdmin extends base
{
    /** @var string|null the email type of the running admin action, null when it sends no marketing mail */
    private $campaign;

    public function __construct()
    {
        if (!class_exists('Dsgvo\Store')) {
            return;
        }
        $this->attach($this, [
            'NOTIFY_EMAIL_ADDRESS_TEST',
            'NOTIFY_EMAIL_READY_TO_SEND',
            'NOTIFY_EMAIL_AFTER_SEND_WITH_ALL_PARAMS',
            'NOTIFY_ADMIN_CUSTOMERS_MENU_BUTTONS',
            'NOTIFIER_ADMIN_ZEN_CUSTOMERS_DELETE_CONFIRM',
        ]);
    }

    public function update(&$class, $eventID, $p1, &$p2, &$p3, &$p4)
    {
        switch ($eventID) {
            case 'NOTIFY_EMAIL_ADDRESS_TEST':
                // $p3: the recipient address, by reference. An address dsgvo denies is blanked: zen_mail() then
                // skips the recipient as invalid and carries on with the rest of the audience.
                $this->campaign = $this->campaign ?? (DsgvoZenCart::campaignType() ?? '');
                DsgvoZenCart::$pending = null;
                if ($this->campaign !== '' && !DsgvoZenCart::decideRecipient($this->campaign, (string) $p3)) {
                    $p3 = '';
                }
                break;
            case 'NOTIFY_EMAIL_READY_TO_SEND':
                DsgvoZenCart::decorate($p2);
                break;
            case 'NOTIFY_EMAIL_AFTER_SEND_WITH_ALL_PARAMS':
                DsgvoZenCart::logSent((array) $p1);
                break;
            case 'NOTIFIER_ADMIN_ZEN_CUSTOMERS_DELETE_CONFIRM':
                // Before Zen Cart deletes (or forgets) the customer: dsgvo's own data, while the shop still knows
                // the address the objections must stay attached to. A failure stops the deletion.
                $id = (int) ($p1['customers_id'] ?? 0);
                try {
                    DsgvoZenCart::store()->erase($id);
                } catch (\Dsgvo\Exception $e) {
                    global $messageStack;
                    $messageStack->add_session('DSGVO: ' . $e->getMessage() . ' The customer was not deleted.', 'error');
                    zen_redirect(zen_href_link(FILENAME_CUSTOMERS, 'cID=' . $id));
                }
                break;
            case 'NOTIFY_ADMIN_CUSTOMERS_MENU_BUTTONS':
                if (isset($p1->customers_id)) {
                    $p2[] = ['align' => 'text-center', 'text' => '<a class="btn btn-info" role="button" id="dsgvo-customer-button" href="'
                        . zen_href_link(FILENAME_DSGVO, 'cID=' . (int) $p1->customers_id) . '">' . DSGVO_BUTTON_CUSTOMER . '</a>'];
                }
                break;
        }
    }
}
