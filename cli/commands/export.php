<?php
declare(strict_types=1);

namespace DsgvoCli;

return new Command(
    'export',
    'Export everything the shop holds about a customer (Art. 15 and 20 GDPR).',
    'export <customer-id|email> --output=FILE [--format=zip|json] [--received-at=DATE | --request=ID] [--overwrite]',
    [
        'output' => [true, 'the file to write (required); written atomically, never half'],
        'format' => [true, 'zip (export.json, a CSV per table, index.html, manifest.json; default) or json'],
        'received-at' => [true, 'when the request arrived: YYYY-MM-DD or RFC 3339 (default: now); the request log shows the deadline'],
        'request' => [true, 'the registered access or portability request this answers (dsgvo request add); closed by it'],
        'overwrite' => [false, 'replace an existing file'],
    ],
    "Writes the export of the customer (by id, or by the exact address of a shop account) and records it in the\n"
    . "request log without personal data. Prints the manifest: files, rows, SHA-256. Exit code 1 when a table\n"
    . 'could not be read (the file is written, but incomplete: fix the permissions and export again).',
    function (Context $c): int {
        if (count($c->args) !== 1) {
            throw new UsageError('give exactly one customer (id or email address)');
        }
        $output = $c->option('output') ?? throw new UsageError('--output=FILE is required');
        $options = ['overwrite' => $c->flag('overwrite')];
        if ($c->option('received-at') !== null) {
            $options['received_at'] = $c->option('received-at');
        }
        if ($c->option('request') !== null) {
            $options['request_id'] = positive_int('--request', $c->option('request'));
        }
        $customer = $c->customer($c->args[0]);
        $manifest = $c->store()->exportTo($customer, $output, $c->option('format') ?? 'zip', $options);
        $complete = $manifest['errors'] === [];
        if ($c->json()) {
            json_out($manifest);
            return $complete ? EXIT_OK : EXIT_FAILED;
        }
        out("Exported customer $customer to {$manifest['path']}");
        pairs([
            'file' => $manifest['file_format'] . ' (' . $manifest['format'] . ')',
            'bytes' => $manifest['bytes'],
            'sha256' => $manifest['sha256'],
            'sections' => $manifest['sections'],
            'rows' => $manifest['rows'],
            'errors' => $manifest['errors'] === [] ? 'none' : $manifest['errors'],
            'skipped tables' => count($manifest['skipped']),
        ]);
        return $complete ? EXIT_OK : EXIT_FAILED;
    }
);
