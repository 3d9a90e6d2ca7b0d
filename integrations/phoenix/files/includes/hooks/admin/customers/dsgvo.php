<?php
/**
 * dsgvo on the admin's customer screens: a button to the customer's consents, export and erasure, and
 * Phoenix's own "delete customer" runs dsgvo's erasure first.
 */
class hook_admin_customers_dsgvo
{
    public function listen_preAction()
    {
        dsgvo_phoenix::eraseBeforeDelete();
    }

    public function listen_injectFormDisplay()
    {
        return dsgvo_phoenix::adminCustomerButton();
    }
}
