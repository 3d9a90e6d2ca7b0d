<?php
// dsgvo: Customers > DSGVO (export, erasure, decisions); shown to admins with the "dsgvo" access right.
defined('_VALID_XTC') or die('Direct Access to this location is not allowed.');
if (defined('MODULE_DSGVO_LEDGER_STATUS') && MODULE_DSGVO_LEDGER_STATUS == 'True') {
    $add_contents[BOX_HEADING_CUSTOMERS][] = ['admin_access_name' => 'dsgvo', 'filename' => 'dsgvo.php', 'boxname' => 'DSGVO', 'parameters' => '', 'ssl' => ''];
}
