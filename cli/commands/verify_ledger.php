<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'verify-ledger',
    "Check the consent ledger's hash chain: no event was altered, removed or inserted.",
    'verify-ledger',
    [],
    "Walks every consent event in order and recomputes its hash. Exit code 1 names the first event that does not\n"
    . 'match (restore it from a backup and ask who changed the table).',
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('verify-ledger takes no arguments');
        }
        $result = $c->store()->verifyLedger();
        if ($c->json()) {
            json_out($result);
        } elseif ($result['ok']) {
            out("Ledger intact: {$result['events']} events verified");
        } else {
            err("Ledger BROKEN at event {$result['first_bad_id']} ({$result['events']} events checked)");
        }
        return $result['ok'] ? EXIT_OK : EXIT_FAILED;
    }
);
