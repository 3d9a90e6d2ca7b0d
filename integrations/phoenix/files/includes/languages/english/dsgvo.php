<?php
// dsgvo for CE Phoenix: texts of the integration (storefront and admin). The newsletter box keeps the shop's
// own ENTRY_NEWSLETTER / ENTRY_NEWSLETTER_TEXT: the ledger stores exactly what that box printed. Change
// DSGVO_CHECKOUT_BOX_LABEL together with DSGVO_TEXT_VERSION: the ledger stores the version with the text.
const DSGVO_TEXT_VERSION = '1';
const DSGVO_TEXT_CHECK_YOUR_MAIL = 'Please confirm your newsletter subscription: we have sent you an email with a confirmation link.';
const DSGVO_TEXT_NOT_RECORDED = 'Your newsletter choice could not be recorded just now, so you are not subscribed. Please try again later on your account page.';
const DSGVO_TEXT_UNSUBSCRIBED = 'You are unsubscribed from our newsletter.';
const DSGVO_TEXT_ALREADY = 'Your newsletter subscription is unchanged.';
const DSGVO_CONFIRM_MAIL_SUBJECT = 'Please confirm your newsletter subscription';
const DSGVO_CONFIRM_MAIL_TEXT = "Please confirm that you want to receive our newsletter by opening this link:\n%s\n\nIf you did not ask for it, ignore this email: without your confirmation you will receive no newsletter.";
const DSGVO_CHECKOUT_BOX_LABEL = 'Yes, ask me by email for a review of my order after delivery. I can withdraw this at any time.';
const DSGVO_CONFIRM_HEADING = 'Confirm your newsletter subscription';
const DSGVO_CONFIRM_ASK = 'Click the button to confirm that you want to receive our newsletter.';
const DSGVO_CONFIRM_BUTTON = 'Confirm subscription';
const DSGVO_CONFIRM_DONE = 'Thank you: your newsletter subscription is confirmed.';
const DSGVO_LINK_INVALID = 'This link is invalid, expired or already used. You can subscribe again on your account page.';
const DSGVO_TRY_LATER = 'We cannot record this right now. Please try again in a few minutes.';
const DSGVO_UNSUBSCRIBE_HEADING = 'Unsubscribe';
const DSGVO_UNSUBSCRIBE_ASK = 'Stop receiving these emails: %s?';
const DSGVO_UNSUBSCRIBE_ALL = 'all advertising emails';
const DSGVO_UNSUBSCRIBE_BUTTON = 'Unsubscribe';
const DSGVO_UNSUBSCRIBE_DONE = 'Done: you will receive no more of these emails (%s).';
const DSGVO_UNSUBSCRIBE_LINE = 'Unsubscribe from these emails: %s';
const DSGVO_ADMIN_BUTTON = 'DSGVO: consents, export, erasure';
const DSGVO_ADMIN_PLAIN_NEWSLETTER_BLOCKED = 'dsgvo is installed: send newsletters with the module "Newsletter (dsgvo)", which sends only to customers whose consent is proven and adds the unsubscribe headers. Create the newsletter again with that module.';
const DSGVO_NOTIFY_NOT_RECORDED = 'Your product notification choice could not be recorded just now, so nothing was changed. Please try again later.';
// Used only when the page's own wording was not seen in this session (the shop's English defaults).
const DSGVO_NOTIFY_PRODUCTS_FALLBACK = 'Subscribe to updates on...';
const DSGVO_NOTIFY_BOX_FALLBACK = 'Notify me of updates to %s';
const DSGVO_NOTIFY_GLOBAL_FALLBACK = 'Global Product Notifications Receive notifications on all available products.';
const DSGVO_ADMIN_DELETE_REFUSED = 'DSGVO: %s The customer was not deleted.';
const DSGVO_ADMIN_LIST_SENT = 'dsgvo: sent to %d customers; %d skipped (no proven consent, objected, or erased).';
