<?php
/**
 * dsgvo in Tools > Newsletter Manager: the shop's plain "newsletter" module mails every customer with the
 * shop's flag 1, proof or not, and without unsubscribe headers, so while dsgvo is installed it may not send;
 * the "product_notification" module sends through dsgvo (consent for product notifications, list headers).
 */
class hook_admin_newsletters_dsgvo
{
    public function listen_preAction()
    {
        dsgvo_phoenix::guardNewsletters();
    }
}
