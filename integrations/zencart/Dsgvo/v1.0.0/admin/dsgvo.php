<?php
/**
 * Customers > DSGVO (index.php?cmd=dsgvo), behind Zen Cart's own admin login and page permissions:
 * find a customer by id or exact address; a customer's decisions per email type and consent history; the
 * export as a ZIP download; the erasure with a typed confirmation; the open data-subject requests.
 */
require 'includes/application_top.php';
require_once __DIR__ . '/../catalog/includes/classes/dsgvo/DsgvoZenCart.php';

$action = (string) ($_GET['action'] ?? '');
$cID = (int) ($_GET['cID'] ?? 0);
$error = '';
$report = null;
$store = null;

try {
    $store = DsgvoZenCart::store();
    if ($action === 'export' && $cID > 0) {
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
    if ($action === 'erase' && $cID > 0 && $_SERVER['REQUEST_METHOD'] === 'POST') {
        if ((int) ($_POST['confirm_id'] ?? 0) !== $cID) {
            $error = 'Type the customer id to confirm the erasure.';
        } else {
            $report = $store->erase($cID, ['shop_data' => true]);
            zen_record_admin_activity('dsgvo: customer ' . $cID . ' erased', 'warning');
        }
    }
} catch (\Dsgvo\Exception $e) {
    $error = get_class($e) . ': ' . $e->getMessage();
}

$h = static function ($value): string {
    return htmlspecialchars((string) $value, ENT_QUOTES, 'UTF-8');
};
?>
<!doctype html>
<html <?php echo HTML_PARAMS; ?>>
<head>
<?php require DIR_WS_INCLUDES . 'admin_html_head.php'; ?>
</head>
<body>
<?php require DIR_WS_INCLUDES . 'header.php'; ?>
<div class="container-fluid" id="dsgvo-admin">
<h1>DSGVO</h1>
<?php if ($error !== '') { ?><div class="alert alert-danger" id="dsgvo-error"><?php echo $h($error); ?></div><?php } ?>
<?php
if ($report !== null) {
    $removed = array_sum($report['removed'] ?? []);
    $anonymized = array_sum($report['anonymized'] ?? []);
    ?>
<div class="alert alert-success" id="dsgvo-erased">Customer <?php echo $cID; ?> erased:
 <span id="count-removed"><?php echo (int) $removed; ?></span> rows removed,
 <span id="count-anonymized"><?php echo (int) $anonymized; ?></span> anonymised.</div>
<table class="table" id="dsgvo-retained"><tr><th>Retained table</th><th>Rows</th><th>Reason</th></tr>
<?php foreach (($report['retained'] ?? []) as $entry) { ?>
<tr class="retained" data-table="<?php echo $h($entry['table']); ?>"><td><?php echo $h($entry['table']); ?></td><td><?php echo (int) $entry['count']; ?></td><td><?php echo $h($entry['reason'] . (isset($entry['retained_until']) ? ' (until ' . $entry['retained_until'] . ')' : '')); ?></td></tr>
<?php } ?>
</table>
<?php
} elseif ($cID > 0 && $store !== null) {
    try {
        $found = $store->findCustomers((string) $cID, 1);
        if ($found === []) {
            echo '<p id="dsgvo-unknown">No customer ' . $cID . '.</p>';
        } else {
            $c = $found[0];
            echo '<h2 id="dsgvo-customer">' . $h($c['firstname'] . ' ' . $c['lastname']) . ' &lt;' . $h($c['email']) . '&gt; (#' . $cID . ')</h2>';
            echo '<table class="table" id="dsgvo-decisions"><tr><th>Email type</th><th>Basis</th><th>Decision</th><th>Reason</th></tr>';
            foreach ($store->emailTypes() as $type) {
                $d = $store->maySend($cID, $type['type']);
                echo '<tr class="decision" data-type="' . $h($type['type']) . '"><td>' . $h($type['type']) . '</td><td>' . $h($type['basis'])
                    . '</td><td>' . ($d->allowed ? 'allowed' : 'denied') . '</td><td>' . $h($d->reason) . '</td></tr>';
            }
            echo '</table><table class="table" id="dsgvo-consents"><tr><th>Time</th><th>Purpose</th><th>Event</th><th>Source</th><th>Text</th></tr>';
            foreach ($store->consentHistory($cID) as $event) {
                echo '<tr class="consent-event"><td>' . $h($event['occurred_at'] ?? '') . '</td><td>' . $h($event['purpose'] ?? '') . '</td><td>'
                    . $h($event['action'] ?? '') . '</td><td>' . $h($event['source'] ?? '') . '</td><td>' . $h($event['text'] ?? '') . '</td></tr>';
            }
            echo '</table>';
            echo '<p><a class="btn btn-primary" id="dsgvo-export" href="' . zen_href_link(FILENAME_DSGVO, 'action=export&cID=' . $cID) . '">Export (ZIP)</a></p>';
            echo zen_draw_form('dsgvo_erase', FILENAME_DSGVO, 'action=erase&cID=' . $cID, 'post', 'id="dsgvo-erase-form"');
            echo '<p>Erase this customer (orders are kept as tax law requires, and reported): type the customer id ';
            echo '<input type="text" name="confirm_id" id="dsgvo-confirm-id" size="8" autocomplete="off"> ';
            echo '<button type="submit" class="btn btn-danger" id="dsgvo-erase-submit">Erase</button></p></form>';
        }
    } catch (\Dsgvo\Exception $e) {
        echo '<div class="alert alert-danger">' . $h(get_class($e) . ': ' . $e->getMessage()) . '</div>';
    }
} else {
    echo zen_draw_form('dsgvo_find', FILENAME_DSGVO, '', 'get', 'id="dsgvo-find"') . zen_draw_hidden_field('cmd', FILENAME_DSGVO);
    echo '<p>Customer id: <input type="text" name="cID" id="dsgvo-cid"> <button type="submit" class="btn btn-default">Open</button></p></form>';
}
if ($store !== null) try {
    $open = $store->requestLog(['open' => true]);
    echo '<h2>Open requests</h2><table class="table" id="dsgvo-open-requests"><tr><th>Id</th><th>Kind</th><th>Received</th><th>Deadline</th><th></th></tr>';
    foreach ($open as $r) {
        echo '<tr' . (!empty($r['overdue']) ? ' class="danger late"' : '') . '><td>' . (int) ($r['id'] ?? 0) . '</td><td>' . $h($r['kind'] ?? '')
            . '</td><td>' . $h($r['received_at'] ?? '') . '</td><td>' . $h($r['deadline'] ?? '') . '</td><td>' . (!empty($r['overdue']) ? 'overdue' : '') . '</td></tr>';
    }
    echo '</table>';
} catch (\Dsgvo\Exception $e) {
    echo '<div class="alert alert-danger">' . $h($e->getMessage()) . '</div>';
}
?>
</div>
<?php require DIR_WS_INCLUDES . 'footer.php'; ?>
</body>
</html>
<?php require DIR_WS_INCLUDES . 'application_bottom.php'; ?>
