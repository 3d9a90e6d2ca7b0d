<?php
/**
 * Find a customer by id or exact address. The form is sent by POST: the address is personal data and must
 * not end up in URLs, browser history and access logs. Searching changes nothing.
 */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_search(App $app): View
{
    $query = is_post() ? trim(field('q')) : '';
    $error = null;
    $results = null;
    if (is_post()) {
        try {
            $results = $app->store()->findCustomers($query, 50);
        } catch (\Dsgvo\InvalidInputException $e) {
            $error = $e->getMessage();
        }
    }
    $body = capture(function () use ($query, $error, $results): void {
        ?>
<h1>Kunde suchen <span class="en">Find a customer</span></h1>
<section class="card">
  <form method="post" action="<?= e(url('search')) ?>" class="inline-form" id="search-form">
    <?= csrf_field() ?>
    <label for="q">Kundennummer oder E-Mail-Adresse <span class="en">Customer id or email address</span></label>
    <div class="row">
      <input type="text" id="q" name="q" value="<?= e($query) ?>" required maxlength="254" autocomplete="off"
             placeholder="4711 / kunde@example.org"<?= $error !== null ? ' aria-invalid="true" aria-describedby="q-error"' : '' ?>>
      <button type="submit" id="search-submit">Suchen / Search</button>
    </div>
<?php if ($error !== null): ?>
    <p class="field-error" id="q-error"><?= e($error) ?></p>
<?php endif; ?>
    <p class="hint">Nur exakte Treffer: eine Suche darf keine Fremden auflisten. / Exact matches only: a search must not list strangers.</p>
  </form>
</section>
<?php if ($results !== null): ?>
<section class="card">
  <h2>Treffer <span class="en">Results</span> <span class="count"><?= e(count($results)) ?></span></h2>
<?php if ($results === []): ?>
  <p class="empty" id="no-results">Kein Kundenkonto gefunden. / No shop account found.</p>
<?php else: ?>
  <table class="grid" id="results">
    <thead><tr><th class="num">Nr. / Id</th><th>Name</th><th>E-Mail</th><th></th></tr></thead>
    <tbody>
<?php foreach ($results as $customer): ?>
      <tr>
        <td class="num"><?= e($customer['customer_id']) ?></td>
        <td><?= e(trim($customer['firstname'] . ' ' . $customer['lastname'])) ?></td>
        <td><?= e($customer['email']) ?></td>
        <td class="actions"><a class="button small" href="<?= e(url('customer', ['id' => $customer['customer_id']])) ?>">Öffnen / Open</a></td>
      </tr>
<?php endforeach; ?>
    </tbody>
  </table>
<?php endif; ?>
</section>
<?php endif; ?>
<?php
    });
    return new View('Kunde suchen / Find customer', $body, $error !== null ? 400 : 200);
}
