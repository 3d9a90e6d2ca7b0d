<?php
/**
 * dsgvo: the double opt-in link (dsgvo_confirm.php?c=ID&token=...). A GET shows a button and changes nothing
 * (mail scanners open links); the POST confirms in the ledger and only then sets the shop's newsletter flag.
 */
  require 'includes/application_top.php';

  $dsgvo_token = dsgvo_phoenix::tokenParam('token');
  $dsgvo_customer = (int) ($_GET['c'] ?? 0);
  $dsgvo_state = dsgvo_phoenix::linkPage('confirmation', static function () use ($dsgvo_token, $dsgvo_customer): string {
      if ($dsgvo_token === '' || $dsgvo_customer <= 0) {
          return 'invalid';
      }
      if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
          return 'ask';
      }
      $store = dsgvo_phoenix::store();
      $eventId = $store->confirmConsent($dsgvo_token, dsgvo_phoenix::proof('link'));
      // c= is only a hint: the flag is set when the confirmed event is in that customer's history.
      foreach ($store->consentHistory($dsgvo_customer) as $event) {
          if ($event['id'] === $eventId && $event['purpose'] === dsgvo_phoenix::NEWSLETTER_TYPE) {
              dsgvo_phoenix::setNewsletterFlag($dsgvo_customer, 1);
          }
      }
      return 'done';
  });

  $breadcrumb->add(DSGVO_CONFIRM_HEADING);
  require $oscTemplate->map_to_template('template_top.php', 'component');
?>
<h1 class="display-4"><?= DSGVO_CONFIRM_HEADING ?></h1>
<?php
  if ($dsgvo_state === 'ask') {
      echo '<form method="post" action="' . htmlspecialchars(dsgvo_phoenix::confirmUrl($dsgvo_customer, $dsgvo_token), ENT_QUOTES) . '">'
          . '<p>' . DSGVO_CONFIRM_ASK . '</p><p><button type="submit" class="btn btn-success" id="dsgvo-confirm-submit">'
          . DSGVO_CONFIRM_BUTTON . '</button></p></form>';
  } elseif ($dsgvo_state === 'done') {
      echo '<p id="dsgvo-result" class="alert alert-success dsgvo-done">' . DSGVO_CONFIRM_DONE . '</p>';
  } else {
      echo dsgvo_phoenix::failureHtml($dsgvo_state);
  }
  require $oscTemplate->map_to_template('template_bottom.php', 'component');
  require 'includes/application_bottom.php';
