<?php
/**
 * dsgvo: the List-Unsubscribe endpoint (dsgvo_unsubscribe.php?t=TOKEN). GET shows a button and changes
 * nothing; POST (the mail client's RFC 8058 one-click with body List-Unsubscribe=One-Click, or the button)
 * records the objection, clears the shop's newsletter flags and answers 200 without a redirect, session or cookie.
 */
require 'includes/application_top.php';
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';

$dsgvo_token = dsgvo_modified::tokenParam('t');
$dsgvo_type = '';
$dsgvo_state = dsgvo_modified::linkPage('unsubscribe', static function () use ($dsgvo_token, &$dsgvo_type): string {
    if ($dsgvo_token === '') {
        return 'invalid';
    }
    $store = dsgvo_modified::store();
    if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
        $dsgvo_type = (string) $store->readUnsubscribeToken($dsgvo_token)['type'];
        return 'ask';
    }
    $result = $store->unsubscribe($dsgvo_token, dsgvo_modified::proof('link'));
    $dsgvo_type = (string) $result['type'];
    if ($dsgvo_type === '*' || $dsgvo_type === dsgvo_modified::NEWSLETTER_TYPE) {
        $id = (int) $result['customer_id'];
        $row = xtc_db_fetch_array(xtc_db_query('SELECT customers_email_address FROM ' . TABLE_CUSTOMERS . ' WHERE customers_id = ' . $id));
        dsgvo_modified::setNewsletterFlags($id, is_array($row) ? (string) $row['customers_email_address'] : '', 0);
    }
    return 'done';
});
$dsgvo_label = htmlspecialchars($dsgvo_type === '*' ? dsgvo_modified::text('unsubscribe_all') : $dsgvo_type, ENT_QUOTES, 'UTF-8');
if ($dsgvo_state === 'ask') {
    $dsgvo_body = '<form method="post" action="' . htmlspecialchars(dsgvo_modified::unsubscribeUrl() . '?t=' . rawurlencode($dsgvo_token), ENT_QUOTES) . '">'
        . '<input type="hidden" name="List-Unsubscribe" value="One-Click"><p>' . sprintf(dsgvo_modified::text('unsubscribe_ask'), $dsgvo_label)
        . '</p><p><button type="submit" id="dsgvo-unsubscribe-submit">' . dsgvo_modified::text('unsubscribe_button') . '</button></p></form>';
} elseif ($dsgvo_state === 'done') {
    $dsgvo_body = '<p id="dsgvo-result" class="dsgvo-done">' . sprintf(dsgvo_modified::text('unsubscribe_done'), $dsgvo_label) . '</p>';
} else {
    $dsgvo_body = dsgvo_modified::failureHtml($dsgvo_state);
}
dsgvo_modified::page(dsgvo_modified::text('unsubscribe_heading'), $dsgvo_body);
