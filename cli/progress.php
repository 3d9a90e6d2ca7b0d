<?php
/**
 * Progress of long runs on stderr: a bar redrawn in place when stderr is a terminal, plain lines (at most one
 * a second, and the last) when it is a pipe or a file, so logs of cron runs stay readable.
 */
declare(strict_types=1);

namespace DsgvoCli;

final class Progress
{
    /** @var resource */
    private $stream;
    /** @var bool */
    private $tty;
    /** @var float */
    private $started;
    /** @var float */
    private $lastLine = 0.0;
    /** @var int|null */
    private $lastDone = null;

    /** @param resource $stream */
    public function __construct(private string $label, private int $total, $stream = STDERR, ?bool $tty = null, private string $unit = 'rows')
    {
        $this->stream = $stream;
        $this->tty = $tty ?? (function_exists('stream_isatty') && stream_isatty($stream));
        $this->started = microtime(true);
    }

    public function update(int $done, bool $last = false): void
    {
        // More may have become due since the count: the total grows with the work.
        $this->total = max($this->total, $done);
        $elapsed = microtime(true) - $this->started;
        $share = $this->total > 0 ? min(1.0, $done / $this->total) : 1.0;
        if ($this->tty) {
            $width = 30;
            $filled = (int) round($share * $width);
            fwrite($this->stream, sprintf("\r%s [%s%s] %3d%% %s/%s %s %5.1f s", $this->label, str_repeat('#', $filled),
                str_repeat('.', $width - $filled), (int) floor($share * 100), number_format($done), number_format($this->total), $this->unit, $elapsed));
            return;
        }
        $now = microtime(true);
        if ($done !== $this->lastDone && ($now - $this->lastLine >= 1.0 || $done >= $this->total || $last || $this->lastDone === null)) {
            $this->lastLine = $now;
            $this->lastDone = $done;
            fwrite($this->stream, sprintf("%s: %d of %d %s (%d%%), %.1f s\n", $this->label, $done, $this->total, $this->unit, (int) floor($share * 100), $elapsed));
        }
    }

    public function finish(int $done): void
    {
        $this->update($done, true);
        if ($this->tty) {
            fwrite($this->stream, "\n");
        }
    }
}
