<?php
/**
 * dsgvo in Customers > Send Email: every audience ("All Customers", the newsletter subscribers, one customer's
 * address) goes through dsgvo: customers who objected or gave no consent are skipped, each mail carries the
 * List-Unsubscribe pair, and the page says how many were sent and skipped.
 */
class hook_admin_mail_dsgvo
{
    public function listen_preAction()
    {
        dsgvo_phoenix::sendEmail();
    }
}
