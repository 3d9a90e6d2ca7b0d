<?php
// dsgvo: the newsletter box set customers_newsletter = 1 on insert; it waits for the confirmed consent.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
if (isset($_POST['newsletter']) && $_POST['newsletter'] == '1') {
    dsgvo_modified::afterRegistration((int) ($_SESSION['customer_id'] ?? 0), (string) $email_address);
}
