<?php
/**
 * Command-line arguments: `--name=value`, `--name value`, `--flag`, and positional arguments. Options are
 * declared per command; anything else is a usage error (exit code 2).
 */
declare(strict_types=1);

namespace DsgvoCli;

/** A usage error: wrong command, option or argument. Exit code 2. */
final class UsageError extends \RuntimeException
{
}

/**
 * @param list<string> $argv the arguments after the command name
 * @param array<string, bool> $spec option name => takes a value
 * @return array{0: array<string, string|true>, 1: list<string>} options, positional arguments
 */
function parse_args(array $argv, array $spec): array
{
    $options = [];
    $positional = [];
    for ($i = 0; $i < count($argv); $i++) {
        $arg = $argv[$i];
        if ($arg === '--') {
            array_push($positional, ...array_slice($argv, $i + 1));
            break;
        }
        if (strncmp($arg, '--', 2) !== 0) {
            $positional[] = $arg;
            continue;
        }
        [$name, $value] = array_pad(explode('=', substr($arg, 2), 2), 2, null);
        if (!array_key_exists($name, $spec)) {
            throw new UsageError("unknown option --$name");
        }
        if ($spec[$name]) {
            if ($value === null) {
                if (!isset($argv[$i + 1]) || strncmp($argv[$i + 1], '--', 2) === 0) {
                    throw new UsageError("option --$name needs a value");
                }
                $value = $argv[++$i];
            }
            $options[$name] = $value;
        } else {
            if ($value !== null) {
                throw new UsageError("option --$name takes no value");
            }
            $options[$name] = true;
        }
    }
    return [$options, $positional];
}

/** A positive whole number given as an option or argument. */
function positive_int(string $what, string $value): int
{
    if (!preg_match('/^[1-9][0-9]{0,17}$/', $value)) {
        throw new UsageError("$what must be a positive whole number, got '$value'");
    }
    return (int) $value;
}
