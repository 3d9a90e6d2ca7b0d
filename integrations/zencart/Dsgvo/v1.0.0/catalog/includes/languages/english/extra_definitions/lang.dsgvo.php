<?php
// dsgvo plugin: storefront texts. Change DSGVO_CHECKOUT_BOX_LABEL together with the plugin's text version
// (Configuration > DSGVO): the ledger stores the label as the customer saw it.
$define = [
    'DSGVO_TEXT_CHECK_YOUR_MAIL' => 'Please confirm your newsletter subscription: we have sent you an email with a confirmation link.',
    'DSGVO_TEXT_NOT_RECORDED' => 'Your newsletter choice could not be recorded just now, so you are not subscribed. Please try again later on your account page.',
    'DSGVO_CONFIRM_MAIL_SUBJECT' => 'Please confirm your newsletter subscription',
    'DSGVO_CONFIRM_MAIL_TEXT' => "Please confirm that you want to receive our newsletter by opening this link:\n%s\n\nIf you did not ask for it, ignore this email: without your confirmation you will receive no newsletter.",
    'DSGVO_CONFIRM_MAIL_HTML' => '<p>Please confirm that you want to receive our newsletter:</p><p><a href="%1$s">Confirm subscription</a></p><p>If you did not ask for it, ignore this email: without your confirmation you will receive no newsletter.</p>',
    'DSGVO_CHECKOUT_BOX_LABEL' => 'Yes, ask me by email for a review of my order after delivery. I can withdraw this at any time.',
    'DSGVO_CONFIRM_HEADING' => 'Confirm your newsletter subscription',
    'DSGVO_CONFIRM_ASK' => 'Click the button to confirm that you want to receive our newsletter.',
    'DSGVO_CONFIRM_BUTTON' => 'Confirm subscription',
    'DSGVO_CONFIRM_DONE' => 'Thank you: your newsletter subscription is confirmed.',
    'DSGVO_LINK_INVALID' => 'This link is invalid, expired or already used. You can subscribe again on your account page.',
    'DSGVO_TRY_LATER' => 'We cannot record this right now. Please try again in a few minutes.',
    'DSGVO_UNSUBSCRIBE_HEADING' => 'Unsubscribe',
    'DSGVO_UNSUBSCRIBE_ASK' => 'Stop receiving these emails: %s?',
    'DSGVO_UNSUBSCRIBE_ALL' => 'all advertising emails',
    'DSGVO_UNSUBSCRIBE_BUTTON' => 'Unsubscribe',
    'DSGVO_NOTIFY_NOT_RECORDED' => 'Your product notification choice could not be recorded just now, so nothing was changed. Please try again later.',
    // Used only when the page's own wording was not seen in this session (the shop's English defaults).
    'DSGVO_NOTIFY_PRODUCTS_FALLBACK' => 'Please notify me of updates to these products',
    'DSGVO_NOTIFY_GLOBAL_FALLBACK' => 'Global Product Notifications Receive notifications on all available products.',
    'DSGVO_UNSUBSCRIBE_DONE' => 'Done: you will receive no more of these emails (%s).',
];
return $define;
