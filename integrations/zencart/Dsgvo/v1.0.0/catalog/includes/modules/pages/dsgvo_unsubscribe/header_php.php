<?php
/**
 * dsgvo_unsubscribe: the List-Unsubscribe endpoint (index.php?main_page=dsgvo_unsubscribe&t=TOKEN), served
 * through Zen Cart's index.php so the shop's nginx template lets it through. GET shows a button and changes
 * nothing; POST (the mail client's RFC 8058 one-click with body List-Unsubscribe=One-Click, or the button)
 * records the objection and answers 200 without a redirect. The POST carries no "action", so Zen Cart's CSRF
 * check (which needs a session token a mail client cannot have) does not apply.
 */
$zco_notifier->notify('NOTIFY_HEADER_START_DSGVO_UNSUBSCRIBE');
require_once __DIR__ . '/../../../classes/dsgvo/DsgvoZenCart.php';

$dsgvo_token = DsgvoZenCart::tokenParam('t');
$dsgvo_type = '';
$dsgvo_state = DsgvoZenCart::linkPage('unsubscribe', static function () use ($dsgvo_token, &$dsgvo_type): string {
    if ($dsgvo_token === '') {
        return 'invalid';
    }
    $store = DsgvoZenCart::store();
    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        $dsgvo_type = (string) $store->readUnsubscribeToken($dsgvo_token)['type'];
        return 'ask';
    }
    $result = $store->unsubscribe($dsgvo_token, DsgvoZenCart::proof('link'));
    $dsgvo_type = (string) $result['type'];
    if ($dsgvo_type === '*' || $dsgvo_type === DsgvoZenCart::setting('DSGVO_NEWSLETTER_TYPE', 'newsletter')) {
        DsgvoZenCart::setNewsletterFlag((int) $result['customer_id'], 0);
    }
    return 'done';
});
$dsgvo_type_label = $dsgvo_type === '*' ? DSGVO_UNSUBSCRIBE_ALL : $dsgvo_type;
$breadcrumb->add(DSGVO_UNSUBSCRIBE_HEADING);
$zco_notifier->notify('NOTIFY_HEADER_END_DSGVO_UNSUBSCRIBE');
