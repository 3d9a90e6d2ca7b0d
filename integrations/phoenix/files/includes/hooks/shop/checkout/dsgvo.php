<?php
/**
 * dsgvo in checkout_process's pipeline: its code "dsgvo" sorts after _14_insert_order and before
 * zz_redirect_success, so the consent box's grant is recorded once the order exists.
 */
class hook_shop_checkout_dsgvo
{
    public function listen_startApplication()
    {
        dsgvo_phoenix::afterOrder();
        return null;
    }
}
