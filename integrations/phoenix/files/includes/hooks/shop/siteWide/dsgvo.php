<?php
/**
 * dsgvo storefront hooks (every page): the newsletter box at sign-up (postRegistration), the account's
 * newsletter and product notification pages and the checkout box's value (injectAppTop), the checkout box
 * itself (injectFormDisplay), the product notification wording a page showed (injectRedirects, while it renders).
 * The work is in includes/classes/dsgvo_phoenix.php.
 */
class hook_shop_siteWide_dsgvo
{
    public function listen_injectAppTop()
    {
        dsgvo_phoenix::appTop();
    }

    public function listen_injectRedirects()
    {
        dsgvo_phoenix_notifications::rememberWording();
    }

    public function listen_postRegistration()
    {
        dsgvo_phoenix::afterRegistration();
    }

    public function listen_injectFormDisplay()
    {
        return dsgvo_phoenix::checkoutBox();
    }
}
