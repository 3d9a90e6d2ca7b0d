<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'requests',
    'List the exports and erasures done, with the deadline of each (Art. 12(3) GDPR).',
    'requests [--kind=export|erasure] [--since=TIME] [--until=TIME] [--limit=N] [--late]',
    [
        'kind' => [true, 'only exports or only erasures'],
        'since' => [true, 'only requests started at or after this RFC 3339 time'],
        'until' => [true, 'only requests started before this RFC 3339 time'],
        'limit' => [true, 'at most this many, newest first (1 to 10000; default 100, with --late 10000)'],
        'late' => [false, 'only requests not answered in time (late, or attempts that failed); exit code 1 if there are any'],
    ],
    'The request log holds no personal data: kind, outcome, when the request arrived, its deadline (one month\n'
    . 'later), when it was answered and whether in time.',
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('requests takes no arguments');
        }
        $filter = [];
        foreach (['kind', 'since', 'until'] as $name) {
            if ($c->option($name) !== null) {
                $filter[$name] = $c->option($name);
            }
        }
        if ($c->option('limit') !== null) {
            $filter['limit'] = positive_int('--limit', $c->option('limit'));
        } elseif ($c->flag('late')) {
            $filter['limit'] = 10000; // a check from cron must not miss an old late answer behind newer ones
        }
        $rows = $c->store()->requestLog($filter);
        if ($c->flag('late')) {
            $rows = array_values(array_filter($rows, fn ($r) => $r['in_time'] !== true));
        }
        if ($c->json()) {
            json_out($rows);
        } elseif ($rows === []) {
            out('No requests.');
        } else {
            $shown = array_map(fn ($r) => $r + ['answered' => $r['finished_at'], 'in time' => $r['in_time']], $rows);
            table($shown, ['id', 'kind', 'outcome', 'received_at', 'deadline', 'answered', 'in time']);
        }
        return $c->flag('late') && $rows !== [] ? EXIT_FAILED : EXIT_OK;
    }
);
