<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'purge',
    'Delete what the retention settings let go (send log, archive, unconfirmed requests).',
    'purge [--dry-run] [--batch=N] [--erasures]',
    [
        'dry-run' => [false, 'count what is due; change nothing'],
        'erasures' => [false, 'also finish pending erasures: erased customers\' retained orders whose legal period has ended'],
        'batch' => [true, 'sends, copies and requests per step (default 50000); progress is shown after each'],
    ],
    "Sends older than dsgvo.retention_send_log_days go with their ratings and archived copies; archived copies\n"
    . "older than dsgvo.retention_archive_days; unconfirmed double opt-in requests older than\n"
    . "dsgvo.retention_pending_consent_days lose their personal fields. Consent grants, revocations and objections\n"
    . "are proof and stay. Runs in small transactions, so the shop goes on working; progress goes to stderr (a bar\n"
    . "on a terminal, a line a second otherwise). Safe to stop and run again. The periods are php.ini settings:\n"
    . '  php -d dsgvo.retention_send_log_days=730 bin/dsgvo purge',
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('purge takes no arguments');
        }
        $batch = positive_int('--batch', $c->option('batch') ?? '50000');
        $store = $c->store();
        $erasures = $c->flag('erasures');
        $due = $store->purgeExpired(['dry_run' => true] + ($erasures ? ['erasures' => true] : []));
        $total = array_sum($due);
        if ($c->flag('dry-run')) {
            if ($c->json()) {
                json_out($due);
            } else {
                out("Due for purging: $total rows (nothing changed)");
                pairs($due);
            }
            return EXIT_OK;
        }
        $done = array_fill_keys(array_keys($due), 0);
        $progress = new Progress('purge', $total);
        $progress->update(0);
        do {
            $step = $store->purgeExpired(['limit' => $batch]);
            foreach ($step as $table => $n) {
                $done[$table] = ($done[$table] ?? 0) + $n;
            }
            $progress->update(array_sum($done));
        } while (array_sum($step) > 0);
        $progress->finish(array_sum($done));
        if ($erasures) {
            // One pass over the pending erasures, after the batches: its counts include customers still waiting.
            foreach ($store->purgeExpired(['erasures' => true]) as $table => $n) {
                $done[$table] = ($done[$table] ?? 0) + $n;
            }
        }
        if ($c->json()) {
            json_out($done);
        } else {
            out('Purged ' . array_sum($done) . ' rows');
            pairs($done);
        }
        return EXIT_OK;
    }
);
