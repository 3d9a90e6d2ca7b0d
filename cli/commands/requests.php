<?php
declare(strict_types=1);

namespace DsgvoCli;

/** Whole days from now until the deadline; negative once it has passed. */
function days_left(string $deadline): int
{
    return (int) floor((strtotime($deadline) - time()) / 86400);
}

return new Command(
    'requests',
    'List the requests registered and the exports and erasures done, with the deadline of each (Art. 12(3) GDPR).',
    'requests [--open] [--kind=KIND] [--since=TIME] [--until=TIME] [--limit=N] [--late]',
    [
        'open' => [false, 'only open requests, oldest first, with the days left; exit code 1 if one is overdue'],
        'kind' => [true, 'only this kind: export, or a request kind (access, portability, erasure, ...)'],
        'since' => [true, 'only requests started at or after this RFC 3339 time'],
        'until' => [true, 'only requests started before this RFC 3339 time'],
        'limit' => [true, 'at most this many, newest first (1 to 10000; default 100, with --late 10000)'],
        'late' => [false, 'only requests not answered in time (late, or attempts that failed); exit code 1 if there are any'],
    ],
    'An answered entry holds no personal data: kind, outcome, when the request arrived, its deadline (one month\n'
    . 'later, three after an extension), when it was answered and whether in time. An open request shows whom it\n'
    . 'is about until it is answered (dsgvo request add|extend|close).',
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('requests takes no arguments');
        }
        $filter = $c->flag('open') ? ['open' => true] : [];
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
        $overdue = array_filter($rows, fn ($r) => $r['overdue']);
        if ($c->json()) {
            json_out($rows);
        } elseif ($rows === []) {
            out($c->flag('open') ? 'No open requests.' : 'No requests.');
        } elseif ($c->flag('open')) {
            $shown = array_map(fn ($r) => $r + ['days left' => days_left($r['deadline']), 'state' => $r['overdue'] ? 'OVERDUE' : ($r['extended_at'] !== null ? 'extended' : 'open')], $rows);
            table($shown, ['id', 'kind', 'subject', 'received_at', 'deadline', 'days left', 'state']);
        } else {
            $shown = array_map(fn ($r) => $r + ['answered' => $r['finished_at'], 'in time' => $r['in_time']], $rows);
            table($shown, ['id', 'kind', 'outcome', 'received_at', 'deadline', 'answered', 'in time']);
        }
        if ($c->flag('open')) {
            return $overdue !== [] ? EXIT_FAILED : EXIT_OK;
        }
        return $c->flag('late') && $rows !== [] ? EXIT_FAILED : EXIT_OK;
    }
);
