<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'tags',
    'Apply the tag rules to the shop\'s customers, or list them with the counts of their last run.',
    "tags apply [--dry-run] [--rule=NAME]\n"
    . '       tags list',
    [
        'dry-run' => [false, 'apply: count what would change; change nothing'],
        'rule' => [true, 'apply: only this rule (several: comma-separated names)'],
    ],
    "Rules are defined by shop code with Store::defineTagRule(). apply runs each rule as two set statements in the\n"
    . "database (removing the rule's tags where it no longer matches, adding them where it now does), one rule after\n"
    . "the other, and prints a line per rule as it finishes (progress on stderr). Tags set by hand or by another rule\n"
    . "are never touched; customers who object to all mail or to personalisation, restricted and erased customers are\n"
    . 'never tagged and lose rule tags. Schedule it nightly, e.g. from cron.',
    function (Context $c): int {
        $action = $c->args[0] ?? throw new UsageError('give apply or list');
        if (count($c->args) !== 1) {
            throw new UsageError("tags $action takes no further arguments");
        }
        $store = $c->store();
        switch ($action) {
            case 'list':
                $rules = $store->tagRules();
                if ($c->json()) {
                    json_out($rules);
                    return EXIT_OK;
                }
                if ($rules === []) {
                    out('No tag rules are defined.');
                    return EXIT_OK;
                }
                table(array_map(fn ($r) => [
                    'rule' => $r['rule'], 'tag' => $r['tag'], 'conditions' => json_encode($r['conditions']),
                    'last run' => $r['last_run_at'] ?? 'never', 'added' => $r['last_added'], 'removed' => $r['last_removed'],
                    'matching' => $r['last_matching'],
                ], $rules), ['rule', 'tag', 'conditions', 'last run', 'added', 'removed', 'matching']);
                return EXIT_OK;
            case 'apply':
                $defined = array_column($store->tagRules(), 'rule');
                $names = $c->option('rule') !== null
                    ? array_values(array_unique(array_filter(array_map('trim', explode(',', (string) $c->option('rule'))), fn ($n) => $n !== '')))
                    : $defined;
                if ($names === []) {
                    throw new UsageError($c->option('rule') !== null ? '--rule names no rule' : 'no tag rules are defined; define them with Store::defineTagRule()');
                }
                // Unknown names are refused before any rule runs.
                $unknown = array_diff($names, $defined);
                if ($unknown !== []) {
                    throw new UsageError('no tag rule named ' . implode(', ', $unknown) . ' is defined; defined: ' . ($defined === [] ? 'none' : implode(', ', $defined)));
                }
                $dry = $c->flag('dry-run');
                $progress = new Progress('tags', count($names), STDERR, null, 'rules');
                $progress->update(0);
                $runs = [];
                foreach ($names as $i => $name) {
                    $runs += $store->applyTagRules(['rules' => [$name], 'dry_run' => $dry]);
                    $progress->update($i + 1);
                    if (!$c->json()) {
                        $r = $runs[$name];
                        out(sprintf('%s (tag %s): %d added, %d removed, %d matching%s', $name, $r['tag'], $r['added'], $r['removed'], $r['matching'], $dry ? ' (dry run, nothing changed)' : ''));
                    }
                }
                $progress->finish(count($names));
                if ($c->json()) {
                    json_out($runs);
                }
                return EXIT_OK;
            default:
                throw new UsageError("unknown tags action '$action'; give apply or list");
        }
    }
);
