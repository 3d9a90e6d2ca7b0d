<?php
/**
 * Installs the plugin's configuration group and keys and its admin page (Customers > DSGVO), creates dsgvo's
 * own tables and the email types the hooks use. Uninstall removes exactly what install added to the shop;
 * dsgvo's own tables stay: the consent ledger and the objections are the shop's proof (Art. 7(1), 21 GDPR)
 * and objections must outlive the plugin.
 */
use Zencart\PluginSupport\ScriptedInstaller as ScriptedInstallBase;

class ScriptedInstaller extends ScriptedInstallBase
{
    private const GROUP = 'DSGVO';
    private const KEYS = [
        'DSGVO_TEXT_VERSION' => ['Consent text version', '1', 'Raise it whenever you change the wording of the newsletter box (ENTRY_NEWSLETTER) or of the checkout box: the ledger stores the version with the text the customer saw.'],
        'DSGVO_NEWSLETTER_TYPE' => ['Newsletter email type', 'newsletter', 'The dsgvo email type (basis: consent, double opt-in) of the newsletter box, the account page and the Newsletter module.'],
        'DSGVO_CHECKOUT_PURPOSE' => ['Checkout consent purpose', 'review.request', 'The purpose the consent box at checkout grants (its label: DSGVO_CHECKOUT_BOX_LABEL).'],
        'DSGVO_PRODUCT_NOTIFICATION_TYPE' => ['Product notification email type', 'product_notification', 'The dsgvo email type of product notifications.'],
        'DSGVO_DIRECT_EMAIL_TYPE' => ['Admin "Send Email" type', 'newsletter', 'The dsgvo email type of mail sent with Customers > Send Email. Name a transactional type if you use it for service mail only.'],
    ];

    protected function executeInstall()
    {
        if (!class_exists('Dsgvo\Store')) {
            $this->errorContainer->addError(0, 'the dsgvo PHP extension is not loaded', true,
                'The dsgvo PHP extension is not loaded in this PHP. Install it and set dsgvo.dsn, dsgvo.secret, dsgvo.shop=zencart and dsgvo.shop_table_prefix in php.ini first.');
            return false;
        }
        try {
            $store = new \Dsgvo\Store();
            $store->migrate();
            // Types the shop has defined already keep their options.
            $defined = array_column($store->emailTypes(), 'type');
            foreach (['newsletter', 'review.request', 'product_notification'] as $type) {
                if (!in_array($type, $defined, true)) {
                    $store->defineEmailType($type, 'consent');
                }
            }
        } catch (\Dsgvo\Exception $e) {
            $this->errorContainer->addError(0, $e->getMessage(), true, 'dsgvo: ' . $e->getMessage());
            return false;
        }
        $group = $this->getOrCreateConfigGroupId(self::GROUP, 'dsgvo: consent, objections and send decisions for email marketing', 0);
        $sort = 10;
        foreach (self::KEYS as $key => [$title, $value, $description]) {
            $this->addConfigurationKey($key, [
                'configuration_title' => $title,
                'configuration_value' => $value,
                'configuration_description' => $description,
                'configuration_group_id' => $group,
                'sort_order' => $sort,
            ]);
            $sort += 10;
        }
        zen_deregister_admin_pages(['customersDsgvo', 'configDsgvo']);
        zen_register_admin_page('customersDsgvo', 'BOX_CUSTOMERS_DSGVO', 'FILENAME_DSGVO', '', 'customers', 'Y', 100);
        zen_register_admin_page('configDsgvo', 'BOX_CONFIGURATION_DSGVO', 'FILENAME_CONFIGURATION', 'gID=' . $group, 'configuration', 'Y', $group);
        return true;
    }

    protected function executeUninstall()
    {
        zen_deregister_admin_pages(['customersDsgvo', 'configDsgvo']);
        $this->deleteConfigurationKeys(array_keys(self::KEYS));
        $this->deleteConfigurationGroup(self::GROUP, true);
        return true;
    }
}
