<?php
/** Escaping and the pieces every page is made of. */
declare(strict_types=1);

namespace DsgvoAdmin;

/** The one escaping function: every value that reaches the HTML goes through it. */
function e($value): string
{
    if ($value === null) {
        return '';
    }
    if (is_bool($value)) {
        $value = $value ? 'true' : 'false';
    }
    return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/** A link to a page of this admin (relative, so it works wherever the folder is mounted). */
function url(string $page, array $params = []): string
{
    return '?' . http_build_query(['page' => $page] + $params);
}

/** What a page answers: a title, its HTML body and the status. */
final class View
{
    /** @var string */
    public $title;
    /** @var string */
    public $body;
    /** @var int */
    public $status;

    public function __construct(string $title, string $body, int $status = 200)
    {
        $this->title = $title;
        $this->body = $body;
        $this->status = $status;
    }
}

/** Runs a template function and returns what it printed. */
function capture(callable $template): string
{
    ob_start();
    try {
        $template();
        return (string) ob_get_contents();
    } finally {
        ob_end_clean();
    }
}

function csrf_field(): string
{
    return '<input type="hidden" name="' . e(Csrf::FIELD) . '" value="' . e(Csrf::token()) . "\">\n";
}

function error_box(string $message, string $title = 'Fehler / Error'): string
{
    return '<div class="box box-error" role="alert"><strong>' . e($title) . '</strong><p>' . e(redact($message)) . '</p></div>';
}

function notice_box(string $html, string $kind = 'info'): string
{
    return '<div class="box box-' . e($kind) . '">' . $html . '</div>';
}

/** A time from the extension (RFC 3339 UTC, or 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC sections) to the second. */
function utc_time(?string $time, bool $zone = true): string
{
    if ($time === null || $time === '') {
        return '–';
    }
    if (preg_match('/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/', $time, $m)) {
        return $m[1] . ' ' . $m[2] . ($zone ? ' UTC' : '');
    }
    return $time;
}

/** The full page around a view. */
function layout(View $view, ?App $app): string
{
    $signedIn = $app !== null && $app->admin !== null;
    return capture(function () use ($view, $app, $signedIn): void {
        ?>
<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title><?= e($view->title) ?> · DSGVO-Verwaltung</title>
<link rel="stylesheet" href="admin.css">
</head>
<body>
<header class="top">
  <div class="wrap top-row">
    <a class="brand" href="<?= e(url('search')) ?>">DSGVO-Verwaltung <span>GDPR admin</span></a>
<?php if ($signedIn): ?>
    <nav class="nav">
      <a href="<?= e(url('search')) ?>">Kunde suchen <span>Find customer</span></a>
      <a href="<?= e(url('retention')) ?>">Aufbewahrung <span>Retention</span></a>
      <a href="<?= e(url('requests')) ?>">Anfragen <span>Request log</span></a>
      <a href="<?= e(url('tags')) ?>">Merkmal-Regeln <span>Tag rules</span></a>
    </nav>
    <form class="logout" method="post" action="<?= e(url('logout')) ?>">
      <?= csrf_field() ?>
      <span class="who"><?= e($app->admin) ?></span>
<?php if ($app->login === 'password'): ?>
      <button type="submit" class="link">Abmelden / Sign out</button>
<?php endif; ?>
    </form>
<?php endif; ?>
  </div>
</header>
<main class="wrap">
<?= $view->body ?>
</main>
</body>
</html>
<?php
    });
}

/**
 * A table of counts per table name.
 *
 * @param array<string, int> $counts
 */
function counts_table(array $counts, string $caption, string $id): string
{
    return capture(function () use ($counts, $caption, $id): void {
        $total = array_sum($counts);
        ?>
<table class="grid counts" id="<?= e($id) ?>">
  <caption><?= e($caption) ?> <span class="total"><?= e($total) ?></span></caption>
  <thead><tr><th>Tabelle / Table</th><th class="num">Zeilen / Rows</th></tr></thead>
  <tbody>
<?php if ($counts === []): ?>
    <tr><td colspan="2" class="empty">keine / none</td></tr>
<?php endif; ?>
<?php foreach ($counts as $table => $count): ?>
    <tr class="<?= $count > 0 ? 'hit' : 'zero' ?>"><td><code><?= e($table) ?></code></td><td class="num"><?= e($count) ?></td></tr>
<?php endforeach; ?>
  </tbody>
</table>
<?php
    });
}

/** A value of an exported row: scalars as text, anything else as compact JSON. */
function cell($value): string
{
    if ($value === null) {
        return '<span class="null">–</span>';
    }
    if (is_array($value)) {
        return '<code>' . e(json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES)) . '</code>';
    }
    return e($value);
}
