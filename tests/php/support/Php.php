<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

/** Runs PHP scripts in child processes, with the extension the suite itself runs with. */
final class Php
{
    public static function extensionPath(): string
    {
        $path = getenv('DSGVO_EXT');
        if (is_string($path) && $path !== '') {
            return $path;
        }
        return dirname(__DIR__, 3) . '/target/release/libdsgvo.so';
    }

    /**
     * Starts `php [-d extension=...] script args...`; returns the process and its pipes.
     *
     * @param list<string> $args
     * @param list<string> $phpArgs extra php options, e.g. ['-d', 'dsgvo.shop=none']
     * @return array{0: resource, 1: array<int, resource>}
     */
    public static function start(string $script, array $args = [], bool $withExtension = true, array $phpArgs = []): array
    {
        $cmd = [PHP_BINARY];
        if ($withExtension) {
            array_push($cmd, '-d', 'extension=' . self::extensionPath());
        } else {
            $cmd[] = '-n';
        }
        array_push($cmd, '-d', 'display_errors=stderr', '-d', 'error_reporting=-1');
        $cmd = array_merge($cmd, $phpArgs, [$script], $args);
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('cannot start ' . PHP_BINARY);
        }
        return [$proc, $pipes];
    }

    /**
     * Waits for a process started by start(); kills it after $timeout seconds.
     *
     * @param resource $proc
     * @param array<int, resource> $pipes
     * @return array{exit: int, stdout: string, stderr: string, timed_out: bool}
     */
    public static function finish($proc, array $pipes, float $timeout = 60.0): array
    {
        $deadline = microtime(true) + $timeout;
        $out = ['', ''];
        foreach ([1, 2] as $i) {
            stream_set_blocking($pipes[$i], false);
        }
        $timedOut = false;
        while (true) {
            foreach ([1, 2] as $n => $i) {
                $chunk = stream_get_contents($pipes[$i]);
                if (is_string($chunk)) {
                    $out[$n] .= $chunk;
                }
            }
            $status = proc_get_status($proc);
            if (!$status['running']) {
                break;
            }
            if (microtime(true) > $deadline) {
                proc_terminate($proc, 9);
                $timedOut = true;
                break;
            }
            usleep(10000);
        }
        foreach ([1, 2] as $n => $i) {
            $chunk = stream_get_contents($pipes[$i]);
            $out[$n] .= is_string($chunk) ? $chunk : '';
            fclose($pipes[$i]);
        }
        $code = proc_close($proc);
        $exit = ($status['running'] ?? true) ? $code : $status['exitcode'];
        return ['exit' => (int) $exit, 'stdout' => $out[0], 'stderr' => $out[1], 'timed_out' => $timedOut];
    }

    /**
     * @param list<string> $args
     * @param list<string> $phpArgs
     * @return array{exit: int, stdout: string, stderr: string, timed_out: bool}
     */
    public static function run(string $script, array $args = [], bool $withExtension = true, float $timeout = 60.0, array $phpArgs = []): array
    {
        [$proc, $pipes] = self::start($script, $args, $withExtension, $phpArgs);
        return self::finish($proc, $pipes, $timeout);
    }
}
