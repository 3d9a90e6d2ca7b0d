<?php
/**
 * dsgvo in Phoenix's start-up sequence: its code "_23_dsgvo" sorts after _22_customer and before
 * _23_parse_actions, so the product page's "Notify me of updates" (action=notify, handled by
 * osC_Actions_notify in parse_actions) is recorded as consent before the shop stores it.
 */
class hook_shop_system__23_dsgvo
{
    public function listen_startApplication()
    {
        dsgvo_phoenix_notifications::productAction();
        return null;
    }
}
