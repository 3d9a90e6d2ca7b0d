<?php
// dsgvo: the order exists ($insert_id): a ticked consent box on the confirmation page grants its purpose now.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
dsgvo_modified::afterOrder((int) ($_SESSION['customer_id'] ?? 0), (int) $insert_id);
