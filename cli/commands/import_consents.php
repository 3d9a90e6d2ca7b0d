<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'import-consents',
    "Record the shop's existing newsletter subscribers in the consent ledger, once.",
    'import-consents [--dry-run] [--purpose=NAME] [--text=WORDING] [--text-version=VERSION]',
    [
        'dry-run' => [false, 'count what would be imported; write nothing'],
        'purpose' => [true, 'the purpose to record (default newsletter)'],
        'text' => [true, 'the wording of the checkbox the subscribers saw, kept as proof'],
        'text-version' => [true, 'a version label of that wording (default: the shop column the evidence came from)'],
    ],
    "customers.customers_newsletter = 1 becomes a grant dated at the account's creation; a confirmed entry of\n"
    . "newsletter_recipients (modified, xtcModified, Gambio) a grant at its date, or, where the shop kept the\n"
    . "confirmation (modified 3.x), the request and its confirmation with their dates and IP addresses. All with\n"
    . "source 'import'. Customers the ledger already knows for the purpose are left alone, so a second run adds\n"
    . 'nothing and a later revocation is never undone. Needs dsgvo.shop.',
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('import-consents takes no arguments');
        }
        $options = ['dry_run' => $c->flag('dry-run')];
        foreach (['purpose' => 'purpose', 'text' => 'text', 'text-version' => 'text_version'] as $cli => $name) {
            if ($c->option($cli) !== null) {
                $options[$name] = $c->option($cli);
            }
        }
        $result = $c->store()->importConsents($options);
        if ($c->json()) {
            json_out($result);
            return EXIT_OK;
        }
        out(($result['dry_run'] ? 'Dry run, nothing written. ' : '') . "Subscribers of '{$result['purpose']}' in the shop: {$result['subscribed']}");
        pairs([
            'granted (one grant each)' => $result['granted'],
            'confirmed double opt-in (request + confirmation)' => $result['confirmed'],
            'already in the ledger, left alone' => $result['already_in_ledger'],
            'confirmed list entries without an account' => $result['without_account'],
            'never confirmed (no consent, not imported)' => $result['not_confirmed'],
            'without a date in the shop (import time used)' => $result['undated'],
            'seconds' => $result['seconds'],
        ]);
        return EXIT_OK;
    }
);
