<?php
$define = [
    'BOX_CUSTOMERS_DSGVO' => 'DSGVO: Export / Erasure',
    'BOX_CONFIGURATION_DSGVO' => 'DSGVO',
    'DSGVO_BUTTON_CUSTOMER' => 'DSGVO: export / erase',
];
return $define;
