<?php
// dsgvo: mail to a list (the admin's newsletter module, Send Email to a group) goes only where maySend allows, with
// List-Unsubscribe; every other mail passes untouched.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
if ($sendmail === true && !dsgvo_modified::listMail($mail, (string) $to_email_address, (string) $email_subject)) {
    $sendmail = false;
}
