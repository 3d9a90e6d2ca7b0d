<?php
/**
 * dsgvo: the system module (Modules > System modules > DSGVO). Installing it adds its on/off key and the admin
 * right "dsgvo" (a column of admin_access, as modified keeps rights) for the installing admin; removing it
 * takes both away again. The hooks under includes/extra/ work while the extension is loaded; this module
 * only opens the admin page.
 */
defined('_VALID_XTC') or die('Direct Access to this location is not allowed.');

class dsgvo_ledger
{
    public $code = 'dsgvo_ledger';
    public $title;
    public $description;
    public $sort_order = '';
    public $enabled;
    public $_check;

    public function __construct()
    {
        $this->title = MODULE_DSGVO_LEDGER_TEXT_TITLE;
        $this->description = MODULE_DSGVO_LEDGER_TEXT_DESCRIPTION;
        $this->enabled = defined('MODULE_DSGVO_LEDGER_STATUS') && MODULE_DSGVO_LEDGER_STATUS == 'True';
    }

    public function process($file)
    {
    }

    public function display()
    {
        return ['text' => '<br /><div align="center">' . xtc_button(BUTTON_SAVE)
            . xtc_button_link(BUTTON_CANCEL, xtc_href_link(FILENAME_MODULE_EXPORT, 'set=' . $_GET['set'] . '&module=dsgvo_ledger')) . '</div>'];
    }

    public function check()
    {
        if (!isset($this->_check)) {
            $this->_check = xtc_db_num_rows(xtc_db_query("SELECT configuration_value FROM " . TABLE_CONFIGURATION
                . " WHERE configuration_key = 'MODULE_DSGVO_LEDGER_STATUS'"));
        }
        return $this->_check;
    }

    public function install()
    {
        // dsgvo's own tables and the email types first: without them the hooks could record nothing.
        require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
        if (!dsgvo_modified::available()) {
            $GLOBALS['messageStack']->add_session('DSGVO: the dsgvo PHP extension is not loaded in this PHP; nothing was installed.', 'error');
            return;
        }
        try {
            $store = dsgvo_modified::store();
            $store->migrate();
            // Types the shop has defined already keep their options.
            $defined = array_column($store->emailTypes(), 'type');
            foreach ([dsgvo_modified::NEWSLETTER_TYPE, dsgvo_modified::CHECKOUT_PURPOSE] as $type) {
                if (!in_array($type, $defined, true)) {
                    $store->defineEmailType($type, 'consent');
                }
            }
        } catch (\Dsgvo\Exception $e) {
            $GLOBALS['messageStack']->add_session('DSGVO: ' . get_class($e) . ': ' . $e->getMessage() . ' (nothing was installed)', 'error');
            return;
        }
        xtc_db_query("INSERT INTO " . TABLE_CONFIGURATION . " (configuration_key, configuration_value, configuration_group_id, sort_order, set_function, date_added)"
            . " VALUES ('MODULE_DSGVO_LEDGER_STATUS', 'True', '6', '1', 'xtc_cfg_select_option(array(\'True\', \'False\'), ', now())");
        $column = xtc_db_query("SHOW COLUMNS FROM " . TABLE_ADMIN_ACCESS . " LIKE 'dsgvo'");
        if (xtc_db_num_rows($column) === 0) {
            xtc_db_query("ALTER TABLE " . TABLE_ADMIN_ACCESS . " ADD dsgvo INT(1) NOT NULL DEFAULT 0");
        }
        xtc_db_query("UPDATE " . TABLE_ADMIN_ACCESS . " SET dsgvo = 1 WHERE customers_id = '1' OR customers_id = '"
            . xtc_db_input((string) (int) ($_SESSION['customer_id'] ?? 1)) . "'");
        xtc_db_query("UPDATE " . TABLE_ADMIN_ACCESS . " SET dsgvo = 2 WHERE customers_id = 'groups'");
    }

    public function remove()
    {
        xtc_db_query("DELETE FROM " . TABLE_CONFIGURATION . " WHERE configuration_key IN ('" . implode("', '", $this->keys()) . "')");
        if (xtc_db_num_rows(xtc_db_query("SHOW COLUMNS FROM " . TABLE_ADMIN_ACCESS . " LIKE 'dsgvo'")) > 0) {
            xtc_db_query("ALTER TABLE " . TABLE_ADMIN_ACCESS . " DROP dsgvo");
        }
    }

    public function keys()
    {
        return ['MODULE_DSGVO_LEDGER_STATUS'];
    }
}
