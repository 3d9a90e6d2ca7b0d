<?php
/**
 * dsgvo in the Phoenix admin (dsgvo.php?cID=N, behind the admin's own login; linked from the customer edit
 * screen): the customer's decision per email type and consent history, the export as a ZIP download, the
 * erasure with a typed confirmation, and the open data-subject requests.
 */
  require 'includes/application_top.php';

  dsgvo_phoenix::texts();
  $action = (string) ($_GET['action'] ?? '');
  $cID = (int) ($_GET['cID'] ?? 0);
  $error = '';
  $report = null;
  $store = null;
  // The admin's forms carry no token of their own; the erasure form carries this one.
  $_SESSION['dsgvo_form_token'] = $_SESSION['dsgvo_form_token'] ?? bin2hex(random_bytes(16));

  try {
      if (!dsgvo_phoenix::available()) {
          throw new \RuntimeException('the dsgvo PHP extension is not loaded in this PHP');
      }
      $store = dsgvo_phoenix::store();
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
      if ($action === 'erase' && $cID > 0 && ($_SERVER['REQUEST_METHOD'] ?? '') === 'POST') {
          if (!hash_equals($_SESSION['dsgvo_form_token'], (string) ($_POST['dsgvo_form_token'] ?? ''))) {
              $error = 'The form has expired: open the customer again and repeat the erasure.';
          } elseif ((int) ($_POST['confirm_id'] ?? 0) !== $cID) {
              $error = 'Type the customer id to confirm the erasure.';
          } else {
              $report = $store->erase($cID, ['shop_data' => true]);
              error_log('dsgvo: customer ' . $cID . ' erased by administrator ' . ($_SESSION['admin']['username'] ?? '?'));
          }
      }
  } catch (\Dsgvo\Exception | \RuntimeException $e) {
      $error = get_class($e) . ': ' . $e->getMessage();
  }

  $h = static function ($value): string {
      return htmlspecialchars((string) $value, ENT_QUOTES, 'UTF-8');
  };
  require 'includes/template_top.php';
?>
<div id="dsgvo-admin">
<h1 class="display-4 mb-2">DSGVO</h1>
<?php
  if ($error !== '') {
      echo '<div class="alert alert-danger" id="dsgvo-error">' . $h($error) . '</div>';
  }
  if ($report !== null) {
      echo '<div class="alert alert-success" id="dsgvo-erased">Customer ' . $cID . ' erased: <span id="count-removed">' . (int) array_sum($report['removed'] ?? [])
          . '</span> rows removed, <span id="count-anonymized">' . (int) array_sum($report['anonymized'] ?? []) . '</span> anonymised.</div>';
      echo '<table class="table" id="dsgvo-retained"><tr><th>Retained table</th><th>Rows</th><th>Reason</th></tr>';
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
              echo '<p><a class="btn btn-primary" id="dsgvo-export" href="' . tep_href_link('dsgvo.php', 'action=export&cID=' . $cID) . '">Export (ZIP)</a></p>';
              echo tep_draw_form('dsgvo_erase', 'dsgvo.php', 'action=erase&cID=' . $cID, 'post', 'id="dsgvo-erase-form"');
              echo '<input type="hidden" name="dsgvo_form_token" value="' . $h($_SESSION['dsgvo_form_token']) . '">';
              echo '<p>Erase this customer (orders are kept as tax law requires, and reported): type the customer id ';
              echo '<input type="text" name="confirm_id" id="dsgvo-confirm-id" size="8" autocomplete="off"> ';
              echo '<button type="submit" class="btn btn-danger" id="dsgvo-erase-submit">Erase</button></p></form>';
          }
      } catch (\Dsgvo\Exception $e) {
          echo '<div class="alert alert-danger">' . $h(get_class($e) . ': ' . $e->getMessage()) . '</div>';
      }
  } else {
      echo '<form method="get" action="' . tep_href_link('dsgvo.php') . '" id="dsgvo-find"><p>Customer id: <input type="text" name="cID" id="dsgvo-cid"> <button type="submit" class="btn btn-light">Open</button></p></form>';
  }
  if ($store !== null) {
      try {
          echo '<h2>Open requests</h2><table class="table" id="dsgvo-open-requests"><tr><th>Id</th><th>Kind</th><th>Received</th><th>Deadline</th><th></th></tr>';
          foreach ($store->requestLog(['open' => true]) as $r) {
              echo '<tr' . (!empty($r['overdue']) ? ' class="table-danger late"' : '') . '><td>' . (int) ($r['id'] ?? 0) . '</td><td>' . $h($r['kind'] ?? '')
                  . '</td><td>' . $h($r['received_at'] ?? '') . '</td><td>' . $h($r['deadline'] ?? '') . '</td><td>' . (!empty($r['overdue']) ? 'overdue' : '') . '</td></tr>';
          }
          echo '</table>';
      } catch (\Dsgvo\Exception $e) {
          echo '<div class="alert alert-danger">' . $h($e->getMessage()) . '</div>';
      }
  }
?>
</div>
<?php
  require 'includes/template_bottom.php';
  require 'includes/application_bottom.php';
