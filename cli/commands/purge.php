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
    . '  php -d dsgvo.retention_send_log_days=730 bin/dsgvo purge' . "\n"
    . "With --erasures, customers erased with their shop data whose orders were still within their legal period\n"
    . "(8 years from the end of the order's year, § 147 AO; dsgvo.retention_years) lose the orders whose period has\n"
    . "ended; run it e.g. each January.",
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('purge takes no arguments');
        }
        $batch = positive_int('--batch', $c->option('batch') ?? '50000');
        $store = $c->store();
        $erasures = $c->flag('erasures');
        $due = $store->purgeExpired(['dry_run' => true] + ($erasures ? ['erasures' => true] : []));
        // erasures_completed/_pending/_skipped count customers, not rows.
        $tables = fn (array $counts): array => array_filter($counts, fn ($k) => strpos((string) $k, 'erasures_') !== 0, ARRAY_FILTER_USE_KEY);
        $rows = fn (array $counts): int => array_sum($tables($counts));
        $total = $rows($due);
        if ($c->flag('dry-run')) {
            if ($c->json()) {
                json_out($due);
            } else {
                out("Due for purging: $total rows (nothing changed)");
                pairs($due);
            }
            return EXIT_OK;
        }
        $done = array_fill_keys(array_keys($tables($due)), 0);
        $progress = new Progress('purge', $total);
        $progress->update(0);
        do {
            $step = $store->purgeExpired(['limit' => $batch]);
            foreach ($step as $table => $n) {
                $done[$table] = ($done[$table] ?? 0) + $n;
            }
            $progress->update(array_sum($done));
        } while (array_sum($step) > 0);
        if ($erasures) {
            // One pass over the pending erasures, after the batches (it counts customers, not rows, too).
            foreach ($store->purgeExpired(['erasures' => true]) as $table => $n) {
                $done[$table] = ($done[$table] ?? 0) + $n;
            }
        }
        $progress->finish($rows($done));
        if ($c->json()) {
            json_out($done);
        } else {
            out('Purged ' . $rows($done) . ' rows');
            pairs($done);
        }
        return EXIT_OK;
    }
);
