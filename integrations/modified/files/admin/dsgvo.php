<?php
/**
 * dsgvo in the modified admin (dsgvo.php?cID=N, behind the admin's own rights: the admin_access column
 * "dsgvo" that the system module adds): the customer's decision per email type and consent history, the
 * export as a ZIP download, the erasure with a typed confirmation, and the open data-subject requests.
 */
require 'includes/application_top.php';
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';

$action = (string) ($_GET['action'] ?? '');
$cID = (int) ($_GET['cID'] ?? 0);
$error = '';
$report = null;
$store = null;
try {
    if (!dsgvo_modified::available()) {
        throw new \RuntimeException('the dsgvo PHP extension is not loaded in this PHP');
    }
    $store = dsgvo_modified::store();
    // modified's admin checks its own CSRF token on every POST before this page runs (and drops the action).
    if ($action === 'export' && $cID > 0 && ($_SERVER['REQUEST_METHOD'] ?? '') === 'POST') {
        $file = sys_get_temp_dir() . '/dsgvo-export-' . $cID . '-' . bin2hex(random_bytes(8)) . '.zip';
        $store->exportTo($cID, $file, 'zip');
        header('Content-Type: application/zip');
        header('Content-Disposition: attachment; filename="dsgvo-export-' . $cID . '.zip"');
        header('Content-Length: ' . filesize($file));
        header('Cache-Control: no-store');
        readfile($file);
        unlink($file);
        exit;
    }
    if ($action === 'erase' && $cID > 0 && ($_SERVER['REQUEST_METHOD'] ?? '') === 'POST') {
        if ((int) ($_POST['confirm_id'] ?? 0) !== $cID) {
            $error = 'Type the customer id to confirm the erasure.';
        } else {
            $emails = dsgvo_modified::customerEmails($cID);
            $report = $store->erase($cID, ['shop_data' => true]);
            $tempRows = dsgvo_modified::eraseNewsletterTemp($cID, $emails);
            error_log('dsgvo: customer ' . $cID . ' erased by administrator ' . (int) ($_SESSION['customer_id'] ?? 0));
        }
    }
} catch (\Dsgvo\Exception | \RuntimeException $e) {
    $error = get_class($e) . ': ' . $e->getMessage();
}
$h = static function ($value): string {
    return htmlspecialchars((string) $value, ENT_QUOTES, 'UTF-8');
};
require DIR_WS_INCLUDES . 'head.php';
?>
</head>
<body>
<?php require DIR_WS_INCLUDES . 'header.php'; ?>
<table class="tableBody"><tr>
<?php
if (USE_ADMIN_TOP_MENU == 'false') {
    echo '<td class="columnLeft2">';
    require_once DIR_WS_INCLUDES . 'column_left.php';
    echo '</td>';
}
?>
<td class="boxCenter"><div id="dsgvo-admin">
<div class="pageHeading">DSGVO</div>
<?php
if ($error !== '') {
    echo '<div class="error_message" id="dsgvo-error">' . $h($error) . '</div>';
}
if ($report !== null) {
    echo '<div class="success_message" id="dsgvo-erased">Customer ' . $cID . ' erased: <span id="count-removed">' . (int) array_sum($report['removed'] ?? [])
        . '</span> rows removed, <span id="count-anonymized">' . (int) array_sum($report['anonymized'] ?? []) . '</span> anonymised, <span id="count-newsletter-temp">'
        . (int) $tempRows . '</span> rows of the newsletter module\'s send lists removed.</div>';
    echo '<table class="tableBoxCenter" id="dsgvo-retained"><tr><th>Retained table</th><th>Rows</th><th>Reason</th></tr>';
    foreach (($report['retained'] ?? []) as $entry) {
        echo '<tr class="retained" data-table="' . $h($entry['table']) . '"><td>' . $h($entry['table']) . '</td><td>' . (int) $entry['count'] . '</td><td>'
            . $h($entry['reason'] . (isset($entry['retained_until']) ? ' (until ' . $entry['retained_until'] . ')' : '')) . '</td></tr>';
    }
    echo '</table>';
} elseif ($cID > 0 && $store !== null) {
    try {
        $found = $store->findCustomers((string) $cID, 1);
        if ($found === []) {
            echo '<p id="dsgvo-unknown">No customer ' . $cID . '.</p>';
        } else {
            $c = $found[0];
            echo '<h2 id="dsgvo-customer">' . $h($c['firstname'] . ' ' . $c['lastname']) . ' &lt;' . $h($c['email']) . '&gt; (#' . $cID . ')</h2>';
            echo '<table class="tableBoxCenter" id="dsgvo-decisions"><tr><th>Email type</th><th>Basis</th><th>Decision</th><th>Reason</th></tr>';
            foreach ($store->emailTypes() as $type) {
                $d = $store->maySend($cID, $type['type']);
                echo '<tr class="decision" data-type="' . $h($type['type']) . '"><td>' . $h($type['type']) . '</td><td>' . $h($type['basis'])
                    . '</td><td>' . ($d->allowed ? 'allowed' : 'denied') . '</td><td>' . $h($d->reason) . '</td></tr>';
            }
            echo '</table><table class="tableBoxCenter" id="dsgvo-consents"><tr><th>Time</th><th>Purpose</th><th>Event</th><th>Source</th><th>Text</th></tr>';
            foreach ($store->consentHistory($cID) as $event) {
                echo '<tr class="consent-event"><td>' . $h($event['occurred_at'] ?? '') . '</td><td>' . $h($event['purpose'] ?? '') . '</td><td>'
                    . $h($event['action'] ?? '') . '</td><td>' . $h($event['source'] ?? '') . '</td><td>' . $h($event['text'] ?? '') . '</td></tr>';
            }
            echo '</table>';
            // A POST with modified's CSRF token: a GET would issue a new token and void the erasure form's.
            echo xtc_draw_form('dsgvo_export', 'dsgvo.php', 'action=export&cID=' . $cID, 'post', 'id="dsgvo-export-form"')
                . '<p><button type="submit" class="button" id="dsgvo-export">Export (ZIP)</button></p></form>';
            echo xtc_draw_form('dsgvo_erase', 'dsgvo.php', 'action=erase&cID=' . $cID, 'post', 'id="dsgvo-erase-form"');
            echo '<p>Erase this customer (orders are kept as tax law requires, and reported): type the customer id ';
            echo '<input type="text" name="confirm_id" id="dsgvo-confirm-id" size="8" autocomplete="off"> ';
            echo '<button type="submit" class="button" id="dsgvo-erase-submit">Erase</button></p></form>';
        }
    } catch (\Dsgvo\Exception $e) {
        echo '<div class="error_message">' . $h(get_class($e) . ': ' . $e->getMessage()) . '</div>';
    }
} else {
    echo '<form method="get" action="' . xtc_href_link('dsgvo.php') . '" id="dsgvo-find"><p>Customer id: <input type="text" name="cID" id="dsgvo-cid"> <button type="submit" class="button">Open</button></p></form>';
}
if ($store !== null) {
    try {
        echo '<h2>Open requests</h2><table class="tableBoxCenter" id="dsgvo-open-requests"><tr><th>Id</th><th>Kind</th><th>Received</th><th>Deadline</th><th></th></tr>';
        foreach ($store->requestLog(['open' => true]) as $r) {
            echo '<tr' . (!empty($r['overdue']) ? ' class="late"' : '') . '><td>' . (int) ($r['id'] ?? 0) . '</td><td>' . $h($r['kind'] ?? '')
                . '</td><td>' . $h($r['received_at'] ?? '') . '</td><td>' . $h($r['deadline'] ?? '') . '</td><td>' . (!empty($r['overdue']) ? 'overdue' : '') . '</td></tr>';
        }
        echo '</table>';
    } catch (\Dsgvo\Exception $e) {
        echo '<div class="error_message">' . $h($e->getMessage()) . '</div>';
    }
}
?>
</div></td></tr></table>
<?php require DIR_WS_INCLUDES . 'footer.php'; ?>
</body>
</html>
<?php require DIR_WS_INCLUDES . 'application_bottom.php'; ?>
