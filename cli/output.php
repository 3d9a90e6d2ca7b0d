<?php
/** What commands print: aligned tables and key/value lists for people, JSON with --json for programs. */
declare(strict_types=1);

namespace DsgvoCli;

function out(string $text): void
{
    fwrite(STDOUT, $text . "\n");
}

function err(string $text): void
{
    fwrite(STDERR, $text . "\n");
}

/** @param mixed $value */
function json_out($value): void
{
    out(json_encode($value, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR));
}

/** @param mixed $value */
function scalar($value): string
{
    if ($value === null) {
        return '-';
    }
    if (is_bool($value)) {
        return $value ? 'yes' : 'no';
    }
    if (is_array($value)) {
        return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) ?: '';
    }
    // Control characters from stored data must not move the terminal's cursor.
    return (string) preg_replace('/[\x00-\x1f\x7f]/', '?', (string) $value);
}

/** Characters shown (code points; without needing mbstring). */
function width(string $text): int
{
    return (int) preg_match_all('/./us', $text);
}

/** @param array<string, mixed> $pairs */
function pairs(array $pairs): void
{
    $width = max(array_map('strlen', array_keys($pairs)) ?: [0]);
    foreach ($pairs as $key => $value) {
        out(sprintf("  %-{$width}s  %s", $key, scalar($value)));
    }
}

/**
 * @param list<array<string, mixed>> $rows
 * @param list<string> $columns
 */
function table(array $rows, array $columns): void
{
    $cells = [$columns];
    foreach ($rows as $row) {
        $cells[] = array_map(fn ($c) => scalar($row[$c] ?? null), $columns);
    }
    $widths = [];
    foreach ($columns as $i => $_) {
        $widths[$i] = max(array_map(fn ($r) => width($r[$i]), $cells));
    }
    foreach ($cells as $n => $r) {
        $line = '';
        foreach ($r as $i => $cell) {
            $line .= $cell . str_repeat(' ', $widths[$i] - width($cell) + 2);
        }
        out(rtrim($line));
        if ($n === 0) {
            out(rtrim(implode('', array_map(fn ($w) => str_repeat('-', $w) . '  ', $widths))));
        }
    }
}
