<?php
/**
 * One customer: the decision for every email type with its reason, objections with their proof, the consent
 * history with its proof, tags and the send log.
 */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_customer(App $app): View
{
    $id = customer_id(query('id'));
    if ($id === null) {
        return new View('Kunde / Customer', error_box('The customer id must be a positive whole number.', 'Ungültige Eingabe / Invalid input'), 400);
    }
    return customer_view($app, $id);
}

/**
 * @param array{error?: string, status?: int} $options
 */
function customer_view(App $app, int $id, array $options = []): View
{
    $store = $app->store();
    $accounts = $store->findCustomers((string) $id, 1);
    $account = $accounts[0] ?? null;
    $history = $store->consentHistory($id);
    $purposes = array_values(array_unique(array_column($history, 'purpose')));
    sort($purposes);
    $inForce = [];
    foreach ($purposes as $purpose) {
        $inForce[$purpose] = $store->hasConsent($id, $purpose);
    }
    $types = $store->emailTypes();
    $decisions = [];
    $optedOut = [];
    foreach ($types as $type) {
        $decisions[$type['type']] = $store->maySend($id, $type['type']);
        $optedOut[$type['type']] = $store->isOptedOut($id, $type['type']);
    }
    $optedOutAll = $store->isOptedOut($id, '*');
    $tags = $store->tags($id);
    // Reading these is no export: nothing lands in the request log.
    $sends = $store->sendLog($id, 100);
    $objections = $store->optOuts($id);
    $name = $account !== null ? trim($account['firstname'] . ' ' . $account['lastname']) : '';
    $error = $options['error'] ?? null;

    $body = capture(function () use ($id, $account, $name, $error, $history, $inForce, $types, $decisions, $optedOut, $optedOutAll, $tags, $sends, $objections): void {
        ?>
<p class="crumbs"><a href="<?= e(url('search')) ?>">← Kunde suchen / Find customer</a></p>
<h1><?= e($name !== '' ? $name : "Kunde $id") ?> <span class="en">Kunde / Customer #<?= e($id) ?><?= $account !== null ? ' · ' . e($account['email']) : '' ?></span></h1>
<?php if ($error !== null): ?>
<?= error_box($error) ?>
<?php endif; ?>
<?php if ($account === null): ?>
<?= notice_box('<p>Kein Kundenkonto mit dieser Nummer im Shop (gelöscht oder nie angelegt). Die eigenen Aufzeichnungen der Erweiterung stehen unten.<br><span class="en">No shop account with this id (erased or never created). The extension\'s own records are shown below.</span></p>', 'warn') ?>
<?php endif; ?>

<section class="card actions-card">
  <form method="post" action="<?= e(url('export')) ?>" class="inline-form" id="export-form">
    <?= csrf_field() ?>
    <input type="hidden" name="id" value="<?= e($id) ?>">
    <label for="export-received">Auskunftsanfrage eingegangen am (UTC) <span class="en">Access request received on</span></label>
    <div class="row">
      <input type="date" id="export-received" name="received_at" value="<?= e(gmdate('Y-m-d')) ?>" max="<?= e(gmdate('Y-m-d')) ?>" required>
      <button type="submit" id="export-submit">Export herunterladen (ZIP) / Download export</button>
    </div>
  </form>
  <div class="danger-zone">
    <p>Löschung nach Art. 17 DSGVO: erst Vorschau, dann Bestätigung. <span class="en">Erasure (Art. 17 GDPR): preview first, then confirm.</span></p>
    <a class="button danger" id="erase-link" href="<?= e(url('erase', ['id' => $id])) ?>">Löschen … / Erase …</a>
  </div>
</section>

<section class="card" id="decisions">
  <h2>Versandentscheidungen <span class="en">Send decisions</span></h2>
<?php if ($types === []): ?>
  <p class="empty">Keine E-Mail-Arten definiert (defineEmailType). / No email types defined.</p>
<?php else: ?>
  <table class="grid">
    <thead><tr><th>E-Mail-Art / Type</th><th>Grundlage / Basis</th><th>Entscheidung / Decision</th><th>Grund / Reason</th><th class="num">Ereignis / Event</th></tr></thead>
    <tbody>
<?php foreach ($types as $type): $d = $decisions[$type['type']]; $r = reason($d->reason); $b = basis($type['basis']); ?>
      <tr class="decision <?= $d->allowed ? 'allowed' : 'denied' ?>" data-type="<?= e($type['type']) ?>">
        <td class="type"><code><?= e($type['type']) ?></code><?php if ($type['min_interval_days'] !== null): ?><br><small>max. 1 / <?= e($type['min_interval_days']) ?> d</small><?php endif; ?></td>
        <td><?= e($b['de']) ?><br><small class="en"><?= e($b['en']) ?><?= $type['max_age_days'] !== null ? ' · ≤ ' . e($type['max_age_days']) . ' d' : '' ?><?= $type['notice_since'] !== null ? ' · notice since ' . e($type['notice_since']) : '' ?></small></td>
        <td><span class="badge <?= $d->allowed ? 'ok' : 'no' ?>"><?= $d->allowed ? 'erlaubt / allowed' : 'gesperrt / denied' ?></span></td>
        <td class="reason"><span class="de"><?= e($r['de']) ?></span><br><span class="en"><?= e($r['en']) ?></span> <code class="code"><?= e($d->reason) ?></code></td>
        <td class="num"><?= $d->eventId !== null ? '#' . e($d->eventId) : '–' ?></td>
      </tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php endif; ?>
</section>

<div class="columns">
<section class="card" id="objections">
  <h2>Widersprüche <span class="en">Objections</span></h2>
  <table class="grid compact">
    <tbody>
      <tr<?= $optedOutAll ? ' class="denied"' : '' ?>><th>Alle Werbe-E-Mails / all marketing (*)</th><td><span class="badge <?= $optedOutAll ? 'no' : 'neutral' ?>"><?= e($optedOutAll ? 'Widerspruch / objected' : 'kein Widerspruch / none') ?></span></td></tr>
<?php foreach ($optedOut as $type => $out): ?>
      <tr<?= $out ? ' class="denied"' : '' ?>><th><code><?= e($type) ?></code></th><td><span class="badge <?= $out ? 'no' : 'neutral' ?>"><?= e($out ? 'Widerspruch / objected' : 'kein Widerspruch / none') ?></span></td></tr>
<?php endforeach; ?>
    </tbody>
  </table>
  <p class="hint">Ein Widerspruch gilt, bis eine neuere Einwilligung für die Art vorliegt; eine Sperre gilt immer. / An objection stands until a newer consent for the type; a suppression always does.</p>
</section>

<section class="card" id="tags">
  <h2>Merkmale <span class="en">Tags</span></h2>
<?php if ($tags === []): ?>
  <p class="empty">Keine. / None.</p>
<?php else: ?>
  <table class="grid compact">
    <thead><tr><th>Merkmal / Tag</th><th>Gesetzt von / Set by</th><th>Regel / Rule</th><th>Gesetzt / Set at</th></tr></thead>
    <tbody>
<?php foreach ($tags as $tag): ?>
      <tr><td><code><?= e($tag['name']) ?></code></td><td><?= $tag['set_by'] === 'rule' ? 'Regel / rule' : 'Hand / by hand' ?></td><td><?= $tag['rule'] !== null ? '<code>' . e($tag['rule']) . '</code>' : '–' ?></td><td><?= e(utc_time($tag['set_at'])) ?></td></tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php endif; ?>
</section>
</div>

<section class="card" id="consents">
  <h2>Einwilligungen <span class="en">Consent history</span></h2>
<?php if ($inForce !== []): ?>
  <p class="state">Jetzt in Kraft / In force now:
<?php foreach ($inForce as $purpose => $yes): ?>
    <span class="badge <?= $yes ? 'ok' : 'neutral' ?>"><code><?= e($purpose) ?></code> <?= $yes ? 'ja / yes' : 'nein / no' ?></span>
<?php endforeach; ?>
  </p>
<?php endif; ?>
<?php if ($history === []): ?>
  <p class="empty">Keine Einwilligungsereignisse. / No consent events.</p>
<?php else: ?>
  <table class="grid history">
    <thead><tr><th class="num">#</th><th>Zeit / Time</th><th>Zweck / Purpose</th><th>Aktion / Action</th><th>Quelle / Source</th><th>Wortlaut / Wording</th><th>Nachweis / Proof</th></tr></thead>
    <tbody>
<?php foreach ($history as $event): $a = consent_action($event['action']); ?>
      <tr class="consent-event" data-action="<?= e($event['action']) ?>">
        <td class="num"><?= e($event['id']) ?></td>
        <td class="nowrap"><?= e(utc_time($event['occurred_at'])) ?><?php if ($event['recorded_at'] !== $event['occurred_at']): ?><br><small>erfasst / recorded <?= e(utc_time($event['recorded_at'])) ?></small><?php endif; ?></td>
        <td><code><?= e($event['purpose']) ?></code></td>
        <td><?= e($a['de']) ?><br><small class="en"><?= e($a['en']) ?></small>
          <?php if ($event['confirmed_at'] !== null): ?><br><small>bestätigt / confirmed <?= e(utc_time($event['confirmed_at'])) ?></small><?php endif; ?>
          <?php if ($event['request_id'] !== null): ?><br><small>Anfrage / request #<?= e($event['request_id']) ?></small><?php endif; ?></td>
        <td><?= e($event['source'] ?? '–') ?></td>
        <td class="wording"><?php if ($event['text'] !== null): ?><q><?= e($event['text']) ?></q><?php else: ?>–<?php endif; ?>
          <?php if ($event['text_version'] !== null): ?><br><small>Version <?= e($event['text_version']) ?></small><?php endif; ?>
          <?php if ($event['text_sha256'] !== null): ?><br><small class="hash" title="SHA-256">SHA-256 <?= e(substr($event['text_sha256'], 0, 16)) ?>…</small><?php endif; ?></td>
        <td class="proof"><dl>
          <dt>IP</dt><dd><?= e($event['ip'] ?? '–') ?></dd>
          <dt>UA</dt><dd><?= e($event['user_agent'] ?? '–') ?></dd>
          <?php if ($event['actor'] !== null): ?><dt>Admin</dt><dd><?= e($event['actor']) ?></dd><?php endif; ?>
        </dl></td>
      </tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php endif; ?>
</section>

<section class="card" id="sendlog">
  <h2>Sendeprotokoll <span class="en">Send log</span></h2>
<?= rows_table($sends, ['id' => 'Nr. / Id', 'sent_at' => 'Gesendet / Sent (UTC)', 'type' => 'Art / Type', 'email' => 'An / To', 'subject' => 'Betreff / Subject', 'message_id' => 'Message-ID', 'order_id' => 'Bestellung / Order', 'rating' => 'Bewertung / Rating'], 'sendlog-table') ?>
<?php if (count($sends) === 100): ?>
  <p class="empty">Die neuesten 100 Sendungen; der Datenexport enthält alle. / The latest 100 sends; the data export holds all.</p>
<?php endif; ?>
  <h3>Erfasste Widersprüche mit Nachweis <span class="en">Recorded objections with proof</span></h3>
<?= rows_table($objections, ['created_at' => 'Zeit / Time (UTC)', 'type' => 'Art / Type', 'source' => 'Quelle / Source', 'ip' => 'IP', 'user_agent' => 'User agent', 'actor' => 'Admin'], 'optouts-table') ?>
</section>
<?php
    });
    return new View($name !== '' ? $name : "Kunde $id", $body, $options['status'] ?? 200);
}

/**
 * Rows (lists of records from the extension) as a table with the columns given.
 *
 * @param list<array<string, mixed>> $items
 * @param array<string, string> $columns key => heading
 */
function rows_table(array $items, array $columns, string $id): string
{
    return capture(function () use ($items, $columns, $id): void {
        ?>
  <table class="grid" id="<?= e($id) ?>">
    <thead><tr><?php foreach ($columns as $heading): ?><th><?= e($heading) ?></th><?php endforeach; ?></tr></thead>
    <tbody>
<?php if ($items === []): ?>
      <tr><td colspan="<?= e(count($columns)) ?>" class="empty">keine Einträge / no entries</td></tr>
<?php endif; ?>
<?php foreach ($items as $item): ?>
      <tr><?php foreach (array_keys($columns) as $key): ?><td><?= substr($key, -3) === '_at' ? e(utc_time($item[$key] ?? null)) : ($key === 'type' && is_string($item[$key] ?? null) ? e(objection_type($item[$key])) : cell($item[$key] ?? null)) ?></td><?php endforeach; ?></tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php
    });
}
