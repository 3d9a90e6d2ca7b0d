<?php
// dsgvo: modified's newsletter activation link also confirms dsgvo's consent (GET asks, POST confirms); the checkout
// box's value travels from the confirmation form to the order.
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
dsgvo_modified::guardActivation();
dsgvo_modified::keepCheckoutBox();
