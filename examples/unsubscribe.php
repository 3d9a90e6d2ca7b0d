<?php
/**
 * One-click unsubscribe endpoint (RFC 8058) for the links Store::unsubscribeHeaders() puts into mails.
 *
 *   GET  ?t=TOKEN  shows a confirmation page and changes nothing: mail scanners and link previews
 *                  fetch links, and must not unsubscribe anyone.
 *   POST ?t=TOKEN  (the mail client's one-click POST, body "List-Unsubscribe=One-Click", or the page's
 *                  button) records the objection and answers 200, without a redirect.
 *   A bad token (also one that is not UTF-8) answers 400 with a plain message; a database outage 503.
 *
 * Configuration comes from php.ini (dsgvo.dsn, dsgvo.secret, dsgvo.shop, ...). Try it:
 *   php -d extension=target/release/libdsgvo.so -d dsgvo.dsn=... -d dsgvo.secret=... -S 127.0.0.1:8080 -t examples
 */
declare(strict_types=1);

header('Cache-Control: no-store');
header('X-Robots-Tag: noindex');
header('Referrer-Policy: no-referrer');

function plain(int $status, string $message): void
{
    http_response_code($status);
    header('Content-Type: text/plain; charset=utf-8');
    echo $message, "\n";
}

function page(string $title, string $body): void
{
    header('Content-Type: text/html; charset=utf-8');
    header("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    echo '<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        '<title>', htmlspecialchars($title), '</title>',
        '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em}button{font:inherit;padding:.5em 1.2em}</style>',
        '</head><body>', $body, '</body></html>';
}

function type_label(string $type): string
{
    return $type === '*'
        ? 'alle Werbe-E-Mails / all marketing emails'
        : htmlspecialchars($type);
}

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$token = $_GET['t'] ?? $_POST['t'] ?? '';
$token = is_string($token) ? $token : ''; // t[]=... is no token
if (!in_array($method, ['GET', 'HEAD', 'POST'], true)) {
    header('Allow: GET, HEAD, POST');
    plain(405, 'Method not allowed.');
    return;
}
if ($token === '' || strlen($token) > 512) {
    plain(400, 'Invalid unsubscribe link: the token is missing. / Ungültiger Abmeldelink.');
    return;
}
// The extension takes strings of valid UTF-8 only (anything else is a TypeError, which would answer 500);
// a token is plain ASCII, so bytes that are not UTF-8 are simply a bad link.
if (preg_match('//u', $token) !== 1) {
    plain(400, 'Invalid unsubscribe link: the token is damaged. / Ungültiger Abmeldelink.');
    return;
}

try {
    $store = new Dsgvo\Store();
    if ($method !== 'POST') {
        $info = $store->readUnsubscribeToken($token);
        page('Abmelden / Unsubscribe',
            '<h1>Abmelden / Unsubscribe</h1><p>Keine E-Mails mehr erhalten für: <strong>' . type_label($info['type']) . '</strong>?</p>'
            . '<form method="post" action="?t=' . rawurlencode($token) . '"><button type="submit">Abmelden / Unsubscribe</button></form>');
        return;
    }
    // The user agent as proof, cut to what the extension takes (512 characters of valid UTF-8, one line);
    // without mbstring, so the endpoint runs on any PHP.
    $agent = preg_replace('/[\x00-\x1f\x7f]/', '', (string) ($_SERVER['HTTP_USER_AGENT'] ?? ''));
    $agent = preg_match('/^.{0,512}/su', (string) $agent, $cut) ? trim($cut[0]) : '';
    $result = $store->unsubscribe($token, [
        'source' => 'link',
        'ip' => filter_var($_SERVER['REMOTE_ADDR'] ?? '', FILTER_VALIDATE_IP) ?: null,
        'user_agent' => $agent !== '' ? $agent : null,
    ]);
    page('Abgemeldet / Unsubscribed',
        '<h1>Abgemeldet / Unsubscribed</h1><p>Sie erhalten keine E-Mails mehr für: <strong>' . type_label($result['type']) . '</strong>.'
        . ($result['new'] ? '' : ' (Das war bereits vermerkt. / This was already recorded.)') . '</p>');
} catch (Dsgvo\TokenException $e) {
    plain(400, 'Invalid unsubscribe link. / Ungültiger Abmeldelink. (' . $e->getMessage() . ')');
} catch (Dsgvo\DatabaseException $e) {
    error_log('dsgvo unsubscribe: ' . $e->getMessage());
    header('Retry-After: 60');
    plain(503, 'Temporarily unavailable, please try again in a minute. / Vorübergehend nicht erreichbar.');
} catch (Dsgvo\Exception $e) {
    error_log('dsgvo unsubscribe: ' . $e->getMessage());
    plain(500, 'The unsubscribe service is misconfigured. / Fehlkonfiguration.');
}
