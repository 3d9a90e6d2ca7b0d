<?php
// dsgvo: the consent box on the order confirmation page (checkout_confirmation.php assigns its form, then includes header.php).
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
dsgvo_modified::checkoutBox($smarty ?? null);
