<?php
/** Request input and response headers. */
declare(strict_types=1);

namespace DsgvoAdmin;

/** Sent with every answer: no framing, no referrer, no caching, nothing but this page's own files. */
function send_security_headers(): void
{
    header("Content-Security-Policy: default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    header('X-Frame-Options: DENY');
    header('X-Content-Type-Options: nosniff');
    header('Referrer-Policy: no-referrer');
    header('Cache-Control: no-store');
    header('Pragma: no-cache');
    header('X-Robots-Tag: noindex, nofollow');
}

function is_post(): bool
{
    return ($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST';
}

/** A query parameter as a string ('' when absent or not a string). */
function query(string $name): string
{
    $value = $_GET[$name] ?? '';
    return is_string($value) ? $value : '';
}

/** A form field as a string ('' when absent or not a string). */
function field(string $name): string
{
    $value = $_POST[$name] ?? '';
    return is_string($value) ? $value : '';
}

/** A customer id from a query parameter or form field, or null when it is not a positive integer. */
function customer_id(string $value): ?int
{
    $value = trim($value);
    if (!preg_match('/^[1-9][0-9]{0,18}$/', $value)) {
        return null;
    }
    $id = filter_var($value, FILTER_VALIDATE_INT);
    return is_int($id) ? $id : null;
}

/** The date a request arrived, from a form field: 'YYYY-MM-DD', default today (UTC, as the extension reads it). */
function received_at(string $value): string
{
    $value = trim($value);
    return $value === '' ? gmdate('Y-m-d') : $value;
}

/** Answers 303 See Other: after a POST the browser fetches the next page with GET. */
function redirect(string $url): void
{
    header('Location: ' . $url, true, 303);
}
