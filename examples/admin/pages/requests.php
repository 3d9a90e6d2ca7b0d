<?php
/**
 * Open requests first (registered with registerRequest(), days left, red when overdue), then the request log
 * (Art. 12(3) GDPR: answer within a month): exports and erasures, newest first, without personal data. Late
 * answers and failures are marked, and open requests whose deadline is near.
 */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_requests(App $app): View
{
    $kind = query('kind');
    $filter = ['limit' => 500];
    if ($kind === 'export' || $kind === 'erasure') {
        $filter['kind'] = $kind;
    } else {
        $kind = '';
    }
    $rows = $app->store()->requestLog($filter);
    $open = $app->store()->requestLog(['open' => true, 'limit' => 10000]);
    $now = new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
    $soon = $now->modify('+7 days');

    $body = capture(function () use ($rows, $open, $kind, $now, $soon): void {
        ?>
<h1>Anfrageprotokoll <span class="en">Request log</span></h1>
<section class="card">
  <h2>Offene Anfragen <span class="en">Open requests</span></h2>
<?php if ($open === []): ?>
  <p class="empty" id="no-open-requests">Keine offenen Anfragen. / No open requests.</p>
<?php else: ?>
  <table class="grid requests" id="open-requests">
    <thead><tr><th class="num">#</th><th>Art / Kind</th><th>Betroffene Person / Subject</th><th>Eingegangen / Received</th><th>Frist / Deadline</th><th class="num">Tage / Days left</th><th>Identität / Identity</th></tr></thead>
    <tbody>
<?php foreach ($open as $request):
        $deadline = new \DateTimeImmutable($request['deadline']);
        $days = (int) floor(($deadline->getTimestamp() - $now->getTimestamp()) / 86400);
        $class = $request['overdue'] ? 'late' : ($deadline <= $soon ? 'soon' : '');
        ?>
      <tr<?= $class !== '' ? ' class="' . $class . '"' : '' ?> data-kind="<?= e($request['kind']) ?>">
        <td class="num"><?= e($request['id']) ?></td>
        <td class="kind"><?= e($request['kind']) ?><?= $request['extended_at'] !== null ? '<br><span class="badge warn">verlängert / extended</span>' : '' ?></td>
        <td><?= is_int($request['subject']) ? '<a href="?page=customer&amp;id=' . e($request['subject']) . '">Kunde / customer ' . e($request['subject']) . '</a>' : e((string) $request['subject']) ?>
          <?= $request['note'] !== null ? '<br><small>' . e($request['note']) . '</small>' : '' ?></td>
        <td class="time"><?= e(utc_time($request['received_at'], false)) ?></td>
        <td class="time deadline"><?= e(utc_time($request['deadline'], false)) ?></td>
        <td class="num days-left"><?= $request['overdue'] ? '<span class="badge no">überfällig / overdue</span>' : e($days) ?></td>
        <td><?= $request['identity_verified'] ? '<span class="badge ok">geprüft / verified</span>' : '<span class="badge warn">ungeprüft / not verified</span>' ?></td>
      </tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php endif; ?>
  <p class="hint">Erfassen, verlängern, schließen: <code>dsgvo request add|extend|close</code> oder <code>registerRequest()</code>; beantworten mit Export oder Löschung. / Register, extend, close with <code>dsgvo request add|extend|close</code> or <code>registerRequest()</code>; answer by export or erasure.</p>
</section>
<section class="card">
  <form method="get" action="" class="inline-form filters">
    <input type="hidden" name="page" value="requests">
    <label for="kind">Art / Kind</label>
    <div class="row">
      <select id="kind" name="kind">
        <option value=""<?= $kind === '' ? ' selected' : '' ?>>alle / all</option>
        <option value="export"<?= $kind === 'export' ? ' selected' : '' ?>>Auskunft / export</option>
        <option value="erasure"<?= $kind === 'erasure' ? ' selected' : '' ?>>Löschung / erasure</option>
      </select>
      <button type="submit" class="secondary">Filtern / Filter</button>
    </div>
  </form>
  <ul class="legend">
    <li><span class="swatch late"></span>zu spät beantwortet / answered late</li>
    <li><span class="swatch failed"></span>fehlgeschlagen / failed</li>
    <li><span class="swatch partial"></span>unvollständig / partial</li>
    <li><span class="swatch soon"></span>offen, Frist in ≤ 7 Tagen / open, deadline within 7 days</li>
  </ul>
</section>
<section class="card">
<?php if ($rows === []): ?>
  <p class="empty">Noch keine Anfragen. / No requests yet.</p>
<?php else: ?>
  <table class="grid requests" id="request-log">
    <thead><tr><th class="num">#</th><th>Art / Kind</th><th>Eingegangen / Received</th><th>Frist / Deadline</th><th>Beantwortet / Answered</th><th>Rechtzeitig / In time</th><th>Zusammenfassung / Summary</th></tr></thead>
    <tbody>
<?php foreach ($rows as $row):
        $deadline = new \DateTimeImmutable($row['deadline']);
        $classes = [];
        if ($row['in_time'] === false) {
            $classes[] = 'late';
        }
        if ($row['outcome'] === 'failed') {
            $classes[] = 'failed';
        } elseif (!in_array($row['outcome'], ['ok', 'open', 'answered'], true)) {
            $classes[] = 'partial';
        }
        $open = $row['in_time'] !== true;          // failed attempts: the request still needs an answer
        if ($open && $deadline >= $now && $deadline <= $soon) {
            $classes[] = 'soon';
        }
        if ($open && $deadline < $now) {
            $classes[] = 'late';
        }
        $classes = array_unique($classes);
        ?>
      <tr<?= $classes !== [] ? ' class="' . e(implode(' ', $classes)) . '"' : '' ?> data-kind="<?= e($row['kind']) ?>" data-outcome="<?= e($row['outcome']) ?>">
        <td class="num"><?= e($row['id']) ?></td>
        <td class="kind"><?= e($row['kind'] === 'export' ? 'Auskunft / export' : ($row['kind'] === 'erasure' ? 'Löschung / erasure' : $row['kind'])) ?>
          <br><span class="badge <?= $row['outcome'] === 'ok' ? 'ok' : ($row['outcome'] === 'failed' ? 'no' : 'warn') ?>"><?= e($row['outcome']) ?></span></td>
        <td class="time"><?= e(utc_time($row['received_at'], false)) ?></td>
        <td class="time deadline"><?= e(utc_time($row['deadline'], false)) ?></td>
        <td class="time"><?= e(utc_time($row['finished_at'], false)) ?>
          <br><small>begonnen / started <?= e(started($row['started_at'], $row['finished_at'])) ?></small></td>
        <td><?= $row['in_time'] === null ? '<span class="badge neutral">–</span>' : ($row['in_time'] ? '<span class="badge ok">ja / yes</span>' : '<span class="badge no">nein / no</span>') ?></td>
        <td class="summary"><?= summary($row['summary']) ?></td>
      </tr>
<?php endforeach; ?>
    </tbody>
  </table>
  <p class="hint">Zeiten in UTC. Frist: Ende des Tages einen Monat nach Eingang (Art. 12 Abs. 3 DSGVO). / Times in UTC. Deadline: end of the day one month after receipt (Art. 12(3) GDPR).</p>
<?php endif; ?>
</section>
<?php
    });
    return new View('Anfrageprotokoll / Request log', $body);
}

/** When the work started: only the time of day when it finished the same day. */
function started(string $started, ?string $finished): string
{
    $shown = utc_time($started, false);
    if ($finished !== null && substr($started, 0, 10) === substr($finished, 0, 10)) {
        return substr($shown, 11);
    }
    return $shown;
}

/** @param array<string, mixed> $summary */
function summary(array $summary): string
{
    $parts = [];
    foreach ($summary as $key => $value) {
        if ($value === [] || $value === null) {
            continue;
        }
        if (is_bool($value)) {
            $value = $value ? 'yes' : 'no';
        }
        if (is_array($value) && array_filter($value, 'is_int') === $value) {
            // table => rows: the tables with rows, e.g. "customers 1, orders 2"
            $value = array_filter($value);
            if ($value === []) {
                continue;
            }
            $shown = implode('<br>', array_map(function ($table, $rows): string {
                return e("$table $rows");
            }, array_keys($value), $value));
        } else {
            $shown = e(is_array($value) ? json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) : (string) $value);
        }
        $parts[] = '<dt>' . e($key) . '</dt><dd>' . $shown . '</dd>';
    }
    return $parts === [] ? '–' : '<dl class="kv">' . implode('', $parts) . '</dl>';
}
