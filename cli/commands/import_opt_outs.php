<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'import-opt-outs',
    "Turn another system's opt-out list (MailBeez's mailbeez_block) into objections, once.",
    'import-opt-outs --source=mailbeez [--dry-run] [--type-map=MODULE=TYPE,...]',
    [
        'source' => [true, 'the list to read: mailbeez'],
        'dry-run' => [false, 'count what would be imported; write nothing'],
        'type-map' => [true, "comma-separated MODULE=TYPE pairs (TYPE an email type or '*') overriding the default mapping"],
    ],
    "Each block entry becomes an objection of its customer, for the customer id and the account's current\n"
    . "address, with source 'import'. Its MailBeez module becomes the objection's type when an email type of that\n"
    . "name is defined, else '*' (all marketing mail). Entries of MailBeez test runs (simulation) are skipped and\n"
    . 'counted. Each entry is recorded once: a second run writes nothing. Needs dsgvo.shop.',
    function (Context $c): int {
        if ($c->args !== []) {
            throw new UsageError('import-opt-outs takes no arguments');
        }
        $source = $c->option('source');
        if ($source === null) {
            throw new UsageError('--source is required (mailbeez)');
        }
        $options = ['source' => $source, 'dry_run' => $c->flag('dry-run')];
        $map = $c->option('type-map');
        if ($map !== null) {
            $options['type_map'] = [];
            foreach (explode(',', $map) as $pair) {
                $parts = explode('=', $pair, 2);
                if (count($parts) !== 2 || trim($parts[0]) === '' || trim($parts[1]) === '') {
                    throw new UsageError("--type-map expects MODULE=TYPE pairs separated by commas, got '$pair'");
                }
                $options['type_map'][trim($parts[0])] = trim($parts[1]);
            }
        }
        $result = $c->store()->importOptOuts($options);
        if ($c->json()) {
            json_out($result);
            return EXIT_OK;
        }
        out(($result['dry_run'] ? 'Dry run, nothing written. ' : '') . "Entries in the {$result['source']} opt-out list: {$result['entries']}");
        $pairs = [
            'imported as objections' => $result['imported'],
            'imported by an earlier run, left alone' => $result['already_present'],
            'objection already recorded, nothing added' => $result['already_objected'],
            'test runs (simulation), skipped' => $result['skipped_simulation'],
            'without a customer id, skipped' => $result['skipped_no_customer'],
        ];
        foreach ($result['by_type'] as $type => $count) {
            $pairs["  of them objecting to '$type'"] = $count;
        }
        pairs($pairs);
        return EXIT_OK;
    }
);
