<?php
declare(strict_types=1);

namespace DsgvoCli;

/** The request id of `request extend|close <id>`. */
function request_id(Context $c): int
{
    if (count($c->args) !== 2) {
        throw new UsageError("request {$c->args[0]} takes one request id");
    }
    return positive_int('request id', $c->args[1]);
}

return new Command(
    'request',
    'Register a data-subject request when it arrives, extend it once, or close it (Art. 12(3) GDPR).',
    "request add <kind> <customer-id|email> [--received-at=DATE] [--identity-verified] [--note=TEXT]\n"
    . "       request extend <request-id> --reason=TEXT\n"
    . '       request close <request-id> [--refused]',
    [
        'received-at' => [true, 'add: when the request arrived, YYYY-MM-DD or RFC 3339 (default: now)'],
        'identity-verified' => [false, 'add: the shop checked who asked (Art. 12(6))'],
        'note' => [true, 'add: one line without personal data, e.g. a ticket number'],
        'reason' => [true, 'extend: what the person is told, required (one line)'],
        'refused' => [false, 'close: the request is refused (Art. 12(5)) instead of answered'],
    ],
    "Kinds: access, portability, erasure, restriction, objection, rectification. The deadline is one month after\n"
    . "the request arrived; extend adds two months, once, before the first deadline. `dsgvo export --request=ID`\n"
    . "and `dsgvo erase --request=ID` answer access, portability and erasure requests; close the others by hand.\n"
    . 'A customer given by address is not looked up: people without an account can ask too.',
    function (Context $c): int {
        $action = $c->args[0] ?? throw new UsageError('give add, extend or close');
        $store = $c->store();
        switch ($action) {
            case 'add':
                if (count($c->args) !== 3) {
                    throw new UsageError('request add takes a kind and a customer (id or email address)');
                }
                $subject = preg_match('/^[1-9][0-9]{0,17}$/', $c->args[2]) ? (int) $c->args[2] : $c->args[2];
                $options = ['identity_verified' => $c->flag('identity-verified')];
                if ($c->option('received-at') !== null) {
                    $options['received_at'] = $c->option('received-at');
                }
                if ($c->option('note') !== null) {
                    $options['note'] = $c->option('note');
                }
                $id = $store->registerRequest($c->args[1], $subject, $options);
                $request = array_column($store->requestLog(['open' => true, 'limit' => 10000]), null, 'id')[$id] ?? ['id' => $id];
                break;
            case 'extend':
                $reason = $c->option('reason') ?? throw new UsageError('--reason=TEXT is required');
                $request = $store->extendRequest(request_id($c), $reason);
                break;
            case 'close':
                $request = $store->closeRequest(request_id($c), $c->flag('refused') ? 'refused' : 'answered');
                break;
            default:
                throw new UsageError("unknown request action '$action'; give add, extend or close");
        }
        if ($c->json()) {
            json_out($request);
        } else {
            pairs(array_intersect_key($request, array_flip(['id', 'kind', 'outcome', 'subject', 'received_at', 'deadline', 'extension_reason'])));
        }
        return EXIT_OK;
    }
);
