<?php
/**
 * dsgvo on checkout_success.php: its code "dsgvo" sorts before the shop's "notify" (cm_cs_product_notifications),
 * so the product notification boxes are recorded as consent before the shop stores them.
 */
class hook_shop_checkout_success_dsgvo
{
    public function listen_siteWideStart()
    {
        dsgvo_phoenix_notifications::checkoutSuccess();
    }
}
