<?php
/** dsgvo_unsubscribe page body: the unsubscribe button, the result, or why the link does not work. */
?>
<div class="centerColumn" id="dsgvoUnsubscribe">
<h1 id="dsgvoUnsubscribeHeading"><?php echo DSGVO_UNSUBSCRIBE_HEADING; ?></h1>
<?php if ($dsgvo_state === 'ask') { ?>
<p><?php echo sprintf(DSGVO_UNSUBSCRIBE_ASK, zen_output_string_protected($dsgvo_type_label)); ?></p>
<form method="post" action="<?php echo zen_href_link('dsgvo_unsubscribe', 't=' . rawurlencode($dsgvo_token), 'SSL'); ?>">
<button type="submit" class="button" id="dsgvo-unsubscribe-submit"><?php echo DSGVO_UNSUBSCRIBE_BUTTON; ?></button>
</form>
<?php } elseif ($dsgvo_state === 'done') { ?>
<p id="dsgvo-result" class="dsgvo-done"><?php echo sprintf(DSGVO_UNSUBSCRIBE_DONE, zen_output_string_protected($dsgvo_type_label)); ?></p>
<?php } else {
    echo DsgvoZenCart::failureHtml($dsgvo_state);
} ?>
</div>
