<?php
/**
 * dsgvo: the List-Unsubscribe endpoint (dsgvo_unsubscribe.php?t=TOKEN). GET shows a button and changes
 * nothing; POST (the mail client's RFC 8058 one-click with body List-Unsubscribe=One-Click, or the button)
 * records the objection and answers 200 without a redirect, without session or cookie.
 */
  require 'includes/application_top.php';

  $dsgvo_token = dsgvo_phoenix::tokenParam('t');
  $dsgvo_type = '';
  $dsgvo_state = dsgvo_phoenix::linkPage('unsubscribe', static function () use ($dsgvo_token, &$dsgvo_type): string {
      if ($dsgvo_token === '') {
          return 'invalid';
      }
      $store = dsgvo_phoenix::store();
      if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
          $dsgvo_type = (string) $store->readUnsubscribeToken($dsgvo_token)['type'];
          return 'ask';
      }
      $result = $store->unsubscribe($dsgvo_token, dsgvo_phoenix::proof('link'));
      $dsgvo_type = (string) $result['type'];
      if ($dsgvo_type === '*' || $dsgvo_type === dsgvo_phoenix::NEWSLETTER_TYPE) {
          dsgvo_phoenix::setNewsletterFlag((int) $result['customer_id'], 0);
      }
      return 'done';
  });
  $dsgvo_label = htmlspecialchars($dsgvo_type === '*' ? DSGVO_UNSUBSCRIBE_ALL : $dsgvo_type, ENT_QUOTES, 'UTF-8');

  $breadcrumb->add(DSGVO_UNSUBSCRIBE_HEADING);
  require $oscTemplate->map_to_template('template_top.php', 'component');
?>
<h1 class="display-4"><?= DSGVO_UNSUBSCRIBE_HEADING ?></h1>
<?php
  if ($dsgvo_state === 'ask') {
      echo '<form method="post" action="' . htmlspecialchars(dsgvo_phoenix::unsubscribeUrl() . '?t=' . rawurlencode($dsgvo_token), ENT_QUOTES) . '">'
          . '<input type="hidden" name="List-Unsubscribe" value="One-Click"><p>' . sprintf(DSGVO_UNSUBSCRIBE_ASK, $dsgvo_label)
          . '</p><p><button type="submit" class="btn btn-danger" id="dsgvo-unsubscribe-submit">' . DSGVO_UNSUBSCRIBE_BUTTON . '</button></p></form>';
  } elseif ($dsgvo_state === 'done') {
      echo '<p id="dsgvo-result" class="alert alert-success dsgvo-done">' . sprintf(DSGVO_UNSUBSCRIBE_DONE, $dsgvo_label) . '</p>';
  } else {
      echo dsgvo_phoenix::failureHtml($dsgvo_state);
  }
  require $oscTemplate->map_to_template('template_bottom.php', 'component');
  require 'includes/application_bottom.php';
