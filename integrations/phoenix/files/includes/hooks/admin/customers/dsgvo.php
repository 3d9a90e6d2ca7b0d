<?php
/** dsgvo on the admin's customer edit screen: a button to the customer's consents, export and erasure. */
class hook_admin_customers_dsgvo
{
    public function listen_injectFormDisplay()
    {
        return dsgvo_phoenix::adminCustomerButton();
    }
}
