<?php
// dsgvo: a product notification sign-up (action=notify) is recorded as consent before the shop stores it.
if (class_exists('Dsgvo\Store') && ($_GET['action'] ?? '') === 'notify') {
    require_once __DIR__ . '/../classes/dsgvo/DsgvoZenCartNotifications.php';
    DsgvoZenCartNotifications::cartAction();
}
