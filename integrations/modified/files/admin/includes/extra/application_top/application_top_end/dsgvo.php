<?php
// dsgvo: modified's own customer deletion (Customers > Delete) erases dsgvo's records first; if that fails, nothing is deleted.
defined('_VALID_XTC') or die('Direct Access to this location is not allowed.');
if (basename((string) ($_SERVER['SCRIPT_NAME'] ?? '')) === 'customers.php' && ($_GET['action'] ?? '') === 'deleteconfirm') {
    require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
    dsgvo_modified::beforeCustomerDelete();
}
