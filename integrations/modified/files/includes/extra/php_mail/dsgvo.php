<?php
// dsgvo: newsletters from the admin's newsletter module go only where maySend allows, with List-Unsubscribe.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
if ($sendmail === true && !dsgvo_modified::newsletterMail($mail, (string) $to_email_address, (string) $email_subject)) {
    $sendmail = false;
}
