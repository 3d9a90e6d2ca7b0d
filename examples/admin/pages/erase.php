<?php
/**
 * Erasure (Art. 17 GDPR). GET: a dry run shows what would be removed, anonymised and retained (it changes
 * nothing and is not logged). POST with the customer id typed again: the erasure, then its report.
 */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_erase(App $app): View
{
    $id = customer_id(is_post() ? field('id') : query('id'));
    if ($id === null) {
        return new View('Löschen / Erase', error_box('The customer id must be a positive whole number.', 'Ungültige Eingabe / Invalid input'), 400);
    }
    $store = $app->store();
    $accounts = $store->findCustomers((string) $id, 1);
    $account = $accounts[0] ?? null;
    if (!is_post()) {
        return erase_preview($app, $id, $account);
    }

    $receivedAt = received_at(field('received_at'));
    if (trim(field('confirm_id')) !== (string) $id) {
        return erase_preview($app, $id, $account, 'Zur Bestätigung die Kundennummer ' . $id . ' eintippen. / Type the customer id ' . $id . ' to confirm.', $receivedAt);
    }
    if (!preg_match('/^\d{4}-\d{2}-\d{2}$/', $receivedAt)) {
        return erase_preview($app, $id, $account, 'The date the request arrived must be a date YYYY-MM-DD.', $receivedAt);
    }
    try {
        $report = $store->erase($id, ['shop_data' => true, 'received_at' => $receivedAt]);
    } catch (\Dsgvo\InvalidInputException $e) {
        return erase_preview($app, $id, $account, $e->getMessage(), $receivedAt);
    }
    $body = capture(function () use ($id, $report): void {
        ?>
<p class="crumbs"><a href="<?= e(url('search')) ?>">← Kunde suchen / Find customer</a></p>
<h1 id="erase-done">Gelöscht <span class="en">Erased · Kunde / Customer #<?= e($id) ?></span></h1>
<?= notice_box('<p>Die Löschung ist ausgeführt und im Anfrageprotokoll vermerkt. Alle Adressen des Kunden sind gesperrt: er wird nie wieder angeschrieben.<br><span class="en">The erasure is done and recorded in the request log. Every address of the customer is suppressed: it will never be emailed again.</span></p>', 'ok') ?>
<?= erase_report($report) ?>
<p><a class="button" href="<?= e(url('requests')) ?>">Anfrageprotokoll / Request log</a></p>
<?php
    });
    return new View("Gelöscht / Erased #$id", $body);
}

/** @param array{customer_id: int, email: string, firstname: string, lastname: string}|null $account */
function erase_preview(App $app, int $id, ?array $account, ?string $error = null, ?string $receivedAt = null): View
{
    $preview = $app->store()->erase($id, ['dry_run' => true, 'shop_data' => true]);
    $body = capture(function () use ($id, $account, $preview, $error, $receivedAt): void {
        ?>
<p class="crumbs"><a href="<?= e(url('customer', ['id' => $id])) ?>">← Kunde / Customer #<?= e($id) ?></a></p>
<h1>Löschen: Vorschau <span class="en">Erase: preview · Kunde / Customer #<?= e($id) ?><?= $account !== null ? ' · ' . e(trim($account['firstname'] . ' ' . $account['lastname'])) . ' · ' . e($account['email']) : '' ?></span></h1>
<?php if ($error !== null): ?>
<?= error_box($error) ?>
<?php endif; ?>
<?php if ($account === null): ?>
<?= notice_box('<p>Kein Kundenkonto mit dieser Nummer im Shop: nur die eigenen Aufzeichnungen der Erweiterung wären betroffen.<br><span class="en">No shop account with this id: only the extension\'s own records would be affected.</span></p>', 'warn') ?>
<?php endif; ?>
<?= notice_box('<p>Probelauf: noch ist nichts geändert. So viele Zeilen würde die Löschung entfernen, anonymisieren und behalten.<br><span class="en">Dry run: nothing has changed yet. This is how many rows the erasure would remove, anonymise and keep.</span></p>') ?>
<?= erase_report($preview) ?>
<section class="card danger-card">
  <h2>Endgültig löschen <span class="en">Erase for good</span></h2>
  <p>Das lässt sich nicht rückgängig machen. Alle Adressen werden vorher gesperrt. <span class="en">This cannot be undone. Every address is suppressed first.</span></p>
  <form method="post" action="<?= e(url('erase', ['id' => $id])) ?>" class="stack" id="erase-form">
    <?= csrf_field() ?>
    <input type="hidden" name="id" value="<?= e($id) ?>">
    <label for="erase-received">Löschantrag eingegangen am (UTC) <span class="en">Erasure request received on</span></label>
    <input type="date" id="erase-received" name="received_at" value="<?= e($receivedAt ?? gmdate('Y-m-d')) ?>" max="<?= e(gmdate('Y-m-d')) ?>" required>
    <label for="confirm-id">Kundennummer zur Bestätigung eintippen <span class="en">Type the customer id to confirm</span></label>
    <input type="text" id="confirm-id" name="confirm_id" inputmode="numeric" autocomplete="off" required placeholder="<?= e($id) ?>">
    <button type="submit" class="danger" id="erase-submit">Endgültig löschen / Erase now</button>
  </form>
</section>
<?php
    });
    return new View("Löschen / Erase #$id", $body, $error !== null ? 400 : 200);
}

/**
 * The report of erase(): what went, what was anonymised, what stays and why.
 *
 * @param array{removed: array<string, int>, anonymized: array<string, int>, retained: list<array{table: string, count: int, reason: string, retained_until: ?string}>, suppressed: int, dry_run: bool} $report
 */
function erase_report(array $report): string
{
    return capture(function () use ($report): void {
        ?>
<div class="report" id="erase-report">
  <div class="stats">
    <div class="stat"><span class="n" id="count-removed"><?= e(array_sum($report['removed'])) ?></span><span class="l">entfernt / removed</span></div>
    <div class="stat"><span class="n" id="count-anonymized"><?= e(array_sum($report['anonymized'])) ?></span><span class="l">anonymisiert / anonymised</span></div>
    <div class="stat"><span class="n" id="count-retained"><?= e(array_sum(array_column($report['retained'], 'count'))) ?></span><span class="l">behalten / retained</span></div>
    <div class="stat"><span class="n" id="count-suppressed"><?= e($report['suppressed']) ?></span><span class="l">Adressen gesperrt / addresses suppressed</span></div>
  </div>
  <div class="columns">
    <section class="card"><?= counts_table($report['removed'], 'Entfernt / Removed', 'removed') ?></section>
    <section class="card"><?= counts_table($report['anonymized'], 'Anonymisiert / Anonymised', 'anonymized') ?></section>
  </div>
  <section class="card">
    <table class="grid" id="retained">
      <caption>Behalten / Retained <span class="total"><?= e(array_sum(array_column($report['retained'], 'count'))) ?></span></caption>
      <thead><tr><th>Tabelle / Table</th><th class="num">Zeilen / Rows</th><th>Grund / Reason</th><th>Bis / Until</th></tr></thead>
      <tbody>
<?php if ($report['retained'] === []): ?>
        <tr><td colspan="4" class="empty">keine / none</td></tr>
<?php endif; ?>
<?php foreach ($report['retained'] as $row): ?>
        <tr class="<?= $row['count'] > 0 ? 'hit' : 'zero' ?>"><td><code><?= e($row['table']) ?></code></td><td class="num"><?= e($row['count']) ?></td><td><?= e($row['reason']) ?></td><td><?= e($row['retained_until'] ?? '') ?></td></tr>
<?php endforeach; ?>
      </tbody>
    </table>
  </section>
</div>
<?php
    });
}
