<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'erase',
    'Erase a customer (Art. 17 GDPR), keeping what tax law requires.',
    'erase <customer-id|email> (--dry-run | --yes) [--shop-data] [--received-at=DATE | --request=ID]',
    [
        'dry-run' => [false, 'count what would be removed, anonymised and retained; change nothing'],
        'yes' => [false, 'really erase (required without --dry-run: erasure cannot be undone)'],
        'shop-data' => [false, "also the shop's tables (account, address book, reviews...; orders are retained for tax law)"],
        'received-at' => [true, 'when the request arrived: YYYY-MM-DD or RFC 3339 (default: now)'],
        'request' => [true, 'the registered erasure request this answers (dsgvo request add); closed by it'],
    ],
    "Every address the customer used goes on the suppression list first, so the person is never mailed again.\n"
    . "dsgvo's own records are always erased; the shop's with --shop-data, per the data map (and\n"
    . "dsgvo.erase_strategies). Idempotent: an interrupted erasure is completed by running it again. Run with\n"
    . '--dry-run first and read the counts.',
    function (Context $c): int {
        if (count($c->args) !== 1) {
            throw new UsageError('give exactly one customer (id or email address)');
        }
        $dryRun = $c->flag('dry-run');
        if (!$dryRun && !$c->flag('yes')) {
            throw new UsageError('erasure cannot be undone: run with --dry-run first, then with --yes');
        }
        if ($dryRun && $c->flag('yes')) {
            throw new UsageError('--dry-run and --yes exclude each other');
        }
        $options = ['dry_run' => $dryRun, 'shop_data' => $c->flag('shop-data')];
        if ($c->option('received-at') !== null) {
            $options['received_at'] = $c->option('received-at');
        }
        if ($c->option('request') !== null) {
            $options['request_id'] = positive_int('--request', $c->option('request'));
        }
        $customer = $c->customer($c->args[0]);
        $report = $c->store()->erase($customer, $options);
        if ($c->json()) {
            json_out($report);
            return EXIT_OK;
        }
        out(($dryRun ? 'Dry run, nothing changed: erasing' : 'Erased') . " customer $customer " . ($dryRun ? 'would touch' : 'touched') . ':');
        foreach (['removed', 'anonymized'] as $kind) {
            $rows = array_filter($report[$kind]);
            out("  $kind: " . ($rows === [] ? 'nothing' : implode(', ', array_map(fn ($t, $n) => "$t $n", array_keys($rows), $rows))));
        }
        foreach (array_filter($report['retained'], fn ($r) => $r['count'] > 0) as $r) {
            $until = $r['retained_until'] !== null ? ", until {$r['retained_until']}" : '';
            out("  retained: {$r['table']} {$r['count']} ({$r['reason']}$until)");
        }
        out("  addresses suppressed: {$report['suppressed']}");
        return EXIT_OK;
    }
);
