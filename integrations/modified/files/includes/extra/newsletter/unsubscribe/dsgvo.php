<?php
// dsgvo: modified's own unsubscribe (newsletter.php, the account, its remove link) is an objection in the ledger.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
dsgvo_modified::unsubscribed((string) $mail);
