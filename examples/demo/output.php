<?php
/** How the demo prints: numbered sections, indented lines, aligned tables. Nothing here calls the extension. */
declare(strict_types=1);

function demo_section(string $title): void
{
    static $n = 0;
    printf("\n%d. %s\n", ++$n, $title);
}

/** One indented line; printf arguments. */
function demo_say(string $format, ...$args): void
{
    echo '   ', vsprintf($format, $args), "\n";
}

/** "label  text", the text wrapped at commas to lines of at most $width characters, continued under itself. */
function demo_wrap(string $label, string $text, int $width = 110): void
{
    $indent = str_repeat(' ', demo_width($label));
    $line = $label;
    foreach (preg_split('/(?<=, )/', $text) ?: [] as $part) {
        if ($line !== $label && demo_width($line . $part) > $width - 3) {
            demo_say('%s', rtrim($line));
            $line = $indent;
        }
        $line .= $part;
    }
    demo_say('%s', $line);
}

/**
 * Rows as aligned columns: numbers right-aligned, text left-aligned, the header underlined.
 *
 * @param list<string> $header
 * @param list<list<string|int|null>> $rows
 */
function demo_table(array $header, array $rows): void
{
    $width = [];
    foreach (array_merge([$header], $rows) as $row) {
        foreach ($row as $i => $cell) {
            $width[$i] = max($width[$i] ?? 0, demo_width((string) $cell));
        }
    }
    $print = function (array $row) use ($width): void {
        $cells = [];
        foreach ($row as $i => $cell) {
            $pad = $width[$i] - demo_width((string) $cell);
            $cells[] = is_int($cell) ? str_repeat(' ', $pad) . $cell : $cell . str_repeat(' ', $pad);
        }
        demo_say('%s', rtrim(implode('  ', $cells)));
    };
    $print($header);
    demo_say('%s', implode('  ', array_map(function (int $w): string {
        return str_repeat('-', $w);
    }, $width)));
    foreach ($rows as $row) {
        $print($row);
    }
}

/** Characters on the screen (UTF-8; the demo needs no mbstring). */
function demo_width(string $s): int
{
    return (int) preg_match_all('/./us', $s);
}

/** "table 3, other 1" from [table => count], leaving out zeros. */
function demo_counts(array $counts): string
{
    $parts = [];
    foreach ($counts as $name => $count) {
        if ($count > 0) {
            $parts[] = "$name $count";
        }
    }
    return $parts === [] ? '(none)' : implode(', ', $parts);
}

/** A token or hash shortened for the screen. */
function demo_short(string $s, int $keep = 12): string
{
    return strlen($s) > $keep + 1 ? substr($s, 0, $keep) . '…' : $s;
}
