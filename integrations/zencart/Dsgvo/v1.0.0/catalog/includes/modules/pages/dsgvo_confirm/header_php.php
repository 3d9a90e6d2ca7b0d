<?php
/**
 * dsgvo_confirm: the double opt-in link (index.php?main_page=dsgvo_confirm&c=ID&token=...). A GET shows a
 * button and changes nothing (mail scanners open links); the POST confirms in the ledger and only then sets the
 * shop's newsletter flag.
 */
$zco_notifier->notify('NOTIFY_HEADER_START_DSGVO_CONFIRM');
require_once __DIR__ . '/../../../classes/dsgvo/DsgvoZenCart.php';

$dsgvo_token = DsgvoZenCart::tokenParam('token');
$dsgvo_customer = (int) ($_GET['c'] ?? 0);
$dsgvo_state = DsgvoZenCart::linkPage('confirmation', static function () use ($dsgvo_token, $dsgvo_customer): string {
    if ($dsgvo_token === '' || $dsgvo_customer <= 0) {
        return 'invalid';
    }
    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        return 'ask';
    }
    $store = DsgvoZenCart::store();
    $eventId = $store->confirmConsent($dsgvo_token, DsgvoZenCart::proof('link'));
    // c= is only a hint: the flag is set when the confirmed event is in that customer's history.
    foreach ($store->consentHistory($dsgvo_customer) as $event) {
        if ($event['id'] === $eventId && $event['purpose'] === DsgvoZenCart::setting('DSGVO_NEWSLETTER_TYPE', 'newsletter')) {
            DsgvoZenCart::setNewsletterFlag($dsgvo_customer, 1);
        }
    }
    return 'done';
});
$breadcrumb->add(DSGVO_CONFIRM_HEADING);
$zco_notifier->notify('NOTIFY_HEADER_END_DSGVO_CONFIRM');
