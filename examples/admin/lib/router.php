<?php
/** Who may do what, in which order: session, sign-in, CSRF check, then the page. */
declare(strict_types=1);

namespace DsgvoAdmin;

/** page => [function, the methods it answers] */
const PAGES = [
    'login' => ['DsgvoAdmin\page_login', ['GET', 'POST']],
    'logout' => ['DsgvoAdmin\page_logout', ['POST']],
    'search' => ['DsgvoAdmin\page_search', ['GET', 'POST']],
    'customer' => ['DsgvoAdmin\page_customer', ['GET']],
    'export' => ['DsgvoAdmin\page_export', ['POST']],
    'erase' => ['DsgvoAdmin\page_erase', ['GET', 'POST']],
    'retention' => ['DsgvoAdmin\page_retention', ['GET', 'POST']],
    'requests' => ['DsgvoAdmin\page_requests', ['GET']],
    'tags' => ['DsgvoAdmin\page_tags', ['GET']],
];

/** Answers the request; returns the view to render, or null when the page answered itself (download, redirect). */
function dispatch(App $app): ?View
{
    start_session($app);
    send_security_headers();
    if ($app->login === 'password') {
        PasswordLogin::password();         // refuses to run without DSGVO_ADMIN_PASSWORD
    }

    $page = query('page');
    if ($page === '') {
        $page = 'search';
    }
    if (!isset(PAGES[$page]) || ($page === 'login' && $app->login !== 'password')) {
        return new View('Nicht gefunden / Not found', error_box('There is no such page.', 'Nicht gefunden / Not found'), 404);
    }
    [$handler, $methods] = PAGES[$page];
    $method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
    if ($method === 'HEAD') {
        $method = 'GET';
    }
    if (!in_array($method, $methods, true)) {
        header('Allow: ' . implode(', ', $methods));
        return new View('Methode nicht erlaubt / Method not allowed', error_box("This page does not answer $method requests.", 'Methode nicht erlaubt / Method not allowed'), 405);
    }
    // Every POST changes state or carries personal data: it must carry the session's token.
    if ($method === 'POST' && !Csrf::valid(field(Csrf::FIELD))) {
        return new View('Abgelehnt / Refused', error_box(
            'The form was refused: its security token (CSRF) is missing or does not match this session. Reload the page and try again.',
            'Abgelehnt / Refused'
        ), 403);
    }

    $app->admin = ($app->authorize)();
    if ($app->admin === null && $page !== 'login') {
        if ($app->login === 'password') {
            redirect(url('login'));
            return null;
        }
        if (is_string($app->login)) {
            redirect($app->login);
            return null;
        }
        return new View('Nicht angemeldet / Not signed in', error_box('Sign in to the shop administration first.', 'Nicht angemeldet / Not signed in'), 403);
    }
    return $handler($app);
}

/** The status that fits an exception of the extension. */
function status_of(\Dsgvo\Exception $e): int
{
    if ($e instanceof \Dsgvo\InvalidInputException) {
        return 400;
    }
    if ($e instanceof \Dsgvo\DatabaseException) {
        return 503;
    }
    return 500;
}

/** The error box for an exception of the extension: its class in words and its message. */
function dsgvo_error(\Dsgvo\Exception $e): string
{
    $titles = [
        \Dsgvo\InvalidInputException::class => 'Ungültige Eingabe / Invalid input',
        \Dsgvo\DatabaseException::class => 'Datenbankfehler / Database error',
        \Dsgvo\ConfigException::class => 'Konfigurationsfehler / Configuration error',
        \Dsgvo\TokenException::class => 'Ungültiges Token / Invalid token',
    ];
    return error_box($e->getMessage(), $titles[get_class($e)] ?? 'Fehler / Error');
}

/** Renders whatever happens: a view, an error of the extension, a setup error, anything else (logged, not shown). */
function run(callable $loadApp): void
{
    ob_start();
    $app = null;
    try {
        $app = $loadApp();
        $view = dispatch($app);
    } catch (SetupError $e) {
        $view = new View('Einrichtungsfehler / Setup error', error_box($e->getMessage(), 'Einrichtungsfehler / Setup error'), 500);
        $app = null;
    } catch (\Dsgvo\Exception $e) {
        $view = new View('Fehler / Error', dsgvo_error($e), status_of($e));
    } catch (\Throwable $e) {
        error_log('dsgvo admin: ' . get_class($e) . ': ' . $e->getMessage() . ' in ' . $e->getFile() . ':' . $e->getLine());
        $view = new View('Fehler / Error', error_box('An internal error occurred; it was written to the server\'s error log.'), 500);
    }
    if ($view === null) {
        ob_end_flush();
        return;
    }
    ob_end_clean();
    if (!headers_sent()) {
        send_security_headers();
        header('Content-Type: text/html; charset=utf-8');
        http_response_code($view->status);
    }
    echo layout($view, $app);
}
