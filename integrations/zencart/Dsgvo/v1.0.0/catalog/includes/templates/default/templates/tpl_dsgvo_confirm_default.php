<?php
/** dsgvo_confirm page body: the confirm button, the result, or why the link does not work. */
?>
<div class="centerColumn" id="dsgvoConfirm">
<h1 id="dsgvoConfirmHeading"><?php echo DSGVO_CONFIRM_HEADING; ?></h1>
<?php if ($dsgvo_state === 'ask') { ?>
<p><?php echo DSGVO_CONFIRM_ASK; ?></p>
<form method="post" action="<?php echo zen_href_link('dsgvo_confirm', 'c=' . (int) $dsgvo_customer . '&token=' . rawurlencode($dsgvo_token), 'SSL'); ?>">
<button type="submit" class="button" id="dsgvo-confirm-submit"><?php echo DSGVO_CONFIRM_BUTTON; ?></button>
</form>
<?php } elseif ($dsgvo_state === 'done') { ?>
<p id="dsgvo-result" class="dsgvo-done"><?php echo DSGVO_CONFIRM_DONE; ?></p>
<?php } else {
    echo DsgvoZenCart::failureHtml($dsgvo_state);
} ?>
</div>
