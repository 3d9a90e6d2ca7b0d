<?php
/**
 * dsgvo in Customers > Send Email: a mail to "All Customers" or to the newsletter subscribers is advertising
 * to a list, so it goes through dsgvo like the newsletter; a mail to one address stays the shop's own.
 */
class hook_admin_mail_dsgvo
{
    public function listen_preAction()
    {
        dsgvo_phoenix::sendEmailToList();
    }
}
