<?php
/**
 * The small shop endpoint the robustness run puts under PHP-FPM: one call of the extension per request.
 *   ?op=decide&c=ID          maySend      -> 200 "allowed <reason>" / "denied <reason>"
 *   ?op=optout&c=ID&t=TYPE   optOut       -> 200 "optout <new|old>"        (acknowledged objection)
 *   ?op=log&c=ID             logSend      -> 200 "logged <send id>"        (acknowledged write)
 * A database failure answers 503 with the exception's message; anything else 500.
 * Settings come from the pool's php_value[dsgvo.*].
 */
declare(strict_types=1);

header('Content-Type: text/plain; charset=utf-8');
$op = (string) ($_GET['op'] ?? '');
$customer = (int) ($_GET['c'] ?? 0);
try {
    $store = new Dsgvo\Store();
    switch ($op) {
        // Each answer is computed before anything is printed: a failure must still be able to set 503.
        case 'decide':
            $d = $store->maySend($customer, 'newsletter');
            echo ($d->allowed ? 'allowed ' : 'denied ') . $d->reason;
            break;
        case 'optout':
            $new = $store->optOut($customer, (string) ($_GET['t'] ?? '*'), ['source' => 'api']);
            echo 'optout ' . ($new ? 'new' : 'old');
            break;
        case 'log':
            $id = $store->logSend($customer, 'newsletter', ['subject' => 'Robustness']);
            echo 'logged ' . $id;
            break;
        default:
            http_response_code(404);
            echo 'unknown op';
    }
} catch (Dsgvo\DatabaseException $e) {
    http_response_code(503);
    echo 'database: ', $e->getMessage();
} catch (Throwable $e) {
    http_response_code(500);
    echo get_class($e), ': ', $e->getMessage();
}
