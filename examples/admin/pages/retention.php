<?php
/** Retention: what the retention settings let go (dry run on GET), and purging it (POST). */
declare(strict_types=1);

namespace DsgvoAdmin;

/** Rows one press of the button purges: a large backlog must not run into the request's time limit. */
const PURGE_STEP = 50000;

function page_retention(App $app): View
{
    $store = $app->store();
    $purged = null;
    if (is_post()) {
        $purged = $store->purgeExpired(['limit' => PURGE_STEP]);
    }
    $due = $store->purgeExpired(['dry_run' => true]);
    $settings = [
        'dsgvo.retention_send_log_days' => 'Versendete E-Mails (mit Bewertungen und Kopien) / Sends (with ratings and copies)',
        'dsgvo.retention_archive_days' => 'Archivierte E-Mail-Kopien / Archived email copies',
        'dsgvo.retention_pending_consent_days' => 'Unbestätigte Double-Opt-in-Anfragen (Felder geleert) / Unconfirmed double opt-in requests (fields blanked)',
    ];
    $body = capture(function () use ($purged, $due, $settings): void {
        ?>
<h1>Aufbewahrung <span class="en">Retention</span></h1>
<?php if ($purged !== null): ?>
<?= notice_box('<p>Gelöscht: <strong id="purged-total">' . e(array_sum($purged)) . '</strong> Zeilen. <span class="en">Purged: ' . e(array_sum($purged)) . ' rows.</span></p>', 'ok') ?>
<section class="card"><?= counts_table($purged, 'Gelöscht / Purged', 'purged') ?></section>
<?php if (array_sum($due) > 0): ?>
<?= notice_box('<p>Es ist noch mehr fällig: erneut löschen. <span class="en">More is due: purge again (at most ' . e(number_format(PURGE_STEP)) . ' per press; <code>bin/dsgvo purge</code> does all at once).</span></p>', 'info') ?>
<?php endif; ?>
<?php endif; ?>
<div class="columns">
  <section class="card">
    <?= counts_table($due, 'Jetzt fällig (Probelauf) / Due now (dry run)', 'due') ?>
    <form method="post" action="<?= e(url('retention')) ?>" id="purge-form">
      <?= csrf_field() ?>
      <button type="submit" id="purge-submit"<?= array_sum($due) === 0 ? ' class="secondary"' : '' ?>>Jetzt löschen / Purge now</button>
    </form>
  </section>
  <section class="card">
    <h2>Fristen <span class="en">Periods</span></h2>
    <table class="grid compact">
      <thead><tr><th>php.ini</th><th class="num">Tage / Days</th></tr></thead>
      <tbody>
<?php foreach ($settings as $setting => $label): $days = (string) ini_get($setting); ?>
        <tr><td><code><?= e($setting) ?></code><br><small><?= e($label) ?></small></td><td class="num"><?= $days === '' || $days === '0' ? 'behalten / keep' : e($days) ?></td></tr>
<?php endforeach; ?>
      </tbody>
    </table>
    <p class="hint">Einwilligungen, Widerrufe und Widersprüche sind Nachweise und werden nie gelöscht. Werte aus php.ini; eine Store-Option der Konfiguration kann sie überschreiben.
      <span class="en">Consents, withdrawals and objections are proof and are never purged. Values from php.ini; a store option in the configuration may override them.</span></p>
  </section>
</div>
<?php
    });
    return new View('Aufbewahrung / Retention', $body);
}
