<?php
// dsgvo: the consent request is recorded with the wording shown; its token rides on modified's activation link.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
$dsgvo_link = dsgvo_modified::optInLink((string) $mail, (string) $link);
if ($dsgvo_link === null) {
    $sendmail = false; // not recorded: no activation mail, the address stays unconfirmed
} else {
    $link = $dsgvo_link;
    $smarty->assign('LINK', $link);
}
