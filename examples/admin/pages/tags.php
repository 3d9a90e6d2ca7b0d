<?php
/**
 * Tag rules: each rule with its tag and conditions, and the counts of its last run (added, removed, matching).
 * Read only: rules are defined by shop code (defineTagRule) and applied by `bin/dsgvo tags apply` (e.g. nightly).
 */
declare(strict_types=1);

namespace DsgvoAdmin;

/** A rule's conditions in words (de / en). */
function tag_conditions(array $conditions): string
{
    $words = [
        'min_orders' => ['mind. %s Bestellungen', 'at least %s orders'],
        'min_spent' => ['Umsatz mind. %s', 'spent at least %s'],
        'bought_categories' => ['kaufte in Kategorie %s', 'bought in category %s'],
        'ordered_within_days' => ['bestellte in den letzten %s Tagen', 'ordered within %s days'],
        'no_order_for_days' => ['seit %s Tagen keine Bestellung', 'no order for %s days'],
        'account_age_days' => ['Konto mind. %s Tage alt', 'account at least %s days old'],
        'min_rating' => ['bewertete eine E-Mail mit mind. %s', 'rated an email at least %s'],
    ];
    $parts = [];
    foreach ($conditions as $key => $value) {
        $shown = is_array($value) ? implode(', ', $value) : (string) $value;
        [$de, $en] = $words[$key] ?? ['%s', '%s'];
        $parts[] = e(sprintf($de, $shown)) . ' <span class="en">' . e(sprintf($en, $shown)) . '</span>';
    }
    return implode('<br>', $parts);
}

function page_tags(App $app): View
{
    $rules = $app->store()->tagRules();
    $body = capture(function () use ($rules): void {
        ?>
<h1>Merkmal-Regeln <span class="en">Tag rules</span></h1>
<section class="card">
<?php if ($rules === []): ?>
  <p class="empty" id="no-tag-rules">Keine Regeln definiert. / No rules defined.</p>
<?php else: ?>
  <table class="grid" id="tag-rules">
    <thead><tr><th>Regel / Rule</th><th>Merkmal / Tag</th><th>Bedingungen / Conditions</th><th>Letzter Lauf / Last run</th>
      <th class="num">Hinzu / Added</th><th class="num">Entfernt / Removed</th><th class="num">Treffer / Matching</th></tr></thead>
    <tbody>
<?php foreach ($rules as $rule): ?>
      <tr data-rule="<?= e($rule['rule']) ?>">
        <td><code><?= e($rule['rule']) ?></code></td>
        <td><code><?= e($rule['tag']) ?></code></td>
        <td><?= tag_conditions($rule['conditions']) ?></td>
        <td class="time"><?= $rule['last_run_at'] !== null ? e(utc_time($rule['last_run_at'])) : 'nie / never' ?></td>
        <td class="num added"><?= $rule['last_added'] !== null ? e($rule['last_added']) : '–' ?></td>
        <td class="num removed"><?= $rule['last_removed'] !== null ? e($rule['last_removed']) : '–' ?></td>
        <td class="num matching"><?= $rule['last_matching'] !== null ? e($rule['last_matching']) : '–' ?></td>
      </tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php endif; ?>
  <p class="hint">Regeln legt der Shop mit <code>defineTagRule()</code> fest; angewendet werden sie mit <code>bin/dsgvo tags apply</code>.
    Kunden mit Widerspruch (alle Werbung oder Personalisierung), eingeschränkte und gelöschte Kunden erhalten keine Merkmale.
    <span class="en">Shop code defines rules with <code>defineTagRule()</code>; <code>bin/dsgvo tags apply</code> applies them.
    Customers who object (to all mail or to personalisation), restricted and erased customers get no tags.</span></p>
</section>
<?php
    });
    return new View('Merkmal-Regeln / Tag rules', $body);
}
