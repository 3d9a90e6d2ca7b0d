<?php
// dsgvo: a "DSGVO" button on the customer screen (customers.php?cID=N) to Customers > DSGVO for that customer.
// modified's customer screen has no hook of its own; admin/includes/head.php includes this folder on every page.
defined('_VALID_XTC') or die('Direct Access to this location is not allowed.');
if (basename((string) $PHP_SELF) === 'customers.php' && (int) ($_GET['cID'] ?? 0) > 0
    && defined('MODULE_DSGVO_LEDGER_STATUS') && MODULE_DSGVO_LEDGER_STATUS == 'True') {
    $dsgvo_access = get_admin_access($_SESSION['customer_id']);
    if (isset($dsgvo_access['dsgvo']) && $dsgvo_access['dsgvo'] == '1') {
        $dsgvo_href = json_encode(xtc_href_link('dsgvo.php', 'cID=' . (int) $_GET['cID']), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT);
        echo '<script>document.addEventListener("DOMContentLoaded", function () { var c = document.querySelector("td.boxCenter"); if (!c) { return; }'
            . ' var a = document.createElement("a"); a.className = "button"; a.id = "dsgvo-customer-button"; a.href = ' . $dsgvo_href . '; a.textContent = "DSGVO";'
            . ' c.insertBefore(a, c.firstChild); });</script>' . "\n";
    }
}
