<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

/** A WebDriver command failed, or the browser could not be started. */
final class WebDriverException extends \RuntimeException
{
}

/**
 * A minimal W3C WebDriver client over curl: starts /usr/bin/chromedriver on a free port, opens one session of
 * headless Chromium, and offers what the browser tests need (navigate, find by CSS, click, type, read text
 * and source, screenshots, downloads into a directory). quit() (also run by the destructor) ends the
 * session and stops chromedriver.
 */
final class WebDriver
{
    public const CHROMEDRIVER = '/usr/bin/chromedriver';
    public const CHROMIUM = '/usr/bin/chromium';
    private const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

    /** @var resource|null */
    private $process;
    /** @var string */
    private $base;
    /** @var string|null */
    private $session;
    /** @var string */
    private $log;

    /** What is missing to run a browser test, as a sentence naming the Debian package; null when nothing is. */
    public static function missing(): ?string
    {
        $missing = [];
        if (!is_executable(self::CHROMEDRIVER)) {
            $missing[] = self::CHROMEDRIVER . ' (Debian package chromium-driver)';
        }
        if (!is_executable(self::CHROMIUM)) {
            $missing[] = self::CHROMIUM . ' (Debian package chromium)';
        }
        if (!function_exists('curl_init')) {
            $missing[] = 'the PHP curl extension (Debian package php' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . '-curl)';
        }
        return $missing === [] ? null : 'browser test skipped: missing ' . implode(' and ', $missing)
            . '; install with: apt-get install chromium chromium-driver php' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . '-curl';
    }

    /** A TCP port on 127.0.0.1 that nothing listens on right now. */
    public static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($server === false) {
            throw new \RuntimeException("no free port: $error");
        }
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    /**
     * Starts chromedriver and a headless Chromium session that saves downloads into $downloadDir.
     *
     * @param list<string> $extraArgs more Chromium switches
     */
    public static function start(string $downloadDir, array $extraArgs = []): self
    {
        if (($missing = self::missing()) !== null) {
            throw new WebDriverException($missing);
        }
        $driver = new self();
        $port = self::freePort();
        $driver->base = "http://127.0.0.1:$port";
        $driver->log = sys_get_temp_dir() . "/chromedriver-$port.log";
        $process = proc_open(
            [self::CHROMEDRIVER, "--port=$port", '--log-path=' . $driver->log],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes
        );
        if (!is_resource($process)) {
            throw new WebDriverException('cannot start ' . self::CHROMEDRIVER);
        }
        $driver->process = $process;
        try {
            $driver->waitUntilReady(10.0);
            $value = $driver->command('POST', '/session', ['capabilities' => ['alwaysMatch' => [
                'browserName' => 'chrome',
                'goog:chromeOptions' => [
                    'binary' => self::CHROMIUM,
                    'args' => array_merge(['--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=1280,1600',
                        '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-extensions'], $extraArgs),
                    'prefs' => [
                        'download.default_directory' => $downloadDir,
                        'download.prompt_for_download' => false,
                        'download.directory_upgrade' => true,
                        'safebrowsing.enabled' => false,
                    ],
                ],
            ]]]);
            $driver->session = (string) ($value['sessionId'] ?? '');
            if ($driver->session === '') {
                throw new WebDriverException('chromedriver answered the new session without a session id');
            }
            $driver->command('POST', $driver->path('/timeouts'), ['implicit' => 0, 'pageLoad' => 20000, 'script' => 10000]);
            // Headless Chromium saves downloads only when told so through the DevTools protocol.
            try {
                $driver->cdp('Browser.setDownloadBehavior', ['behavior' => 'allow', 'downloadPath' => $downloadDir, 'eventsEnabled' => false]);
            } catch (WebDriverException $e) {
                $driver->cdp('Page.setDownloadBehavior', ['behavior' => 'allow', 'downloadPath' => $downloadDir]);
            }
        } catch (\Throwable $e) {
            $driver->quit();
            throw $e;
        }
        return $driver;
    }

    private function __construct()
    {
    }

    public function __destruct()
    {
        $this->quit();
    }

    /** Ends the session (closing the browser) and stops chromedriver. Safe to call twice. */
    public function quit(): void
    {
        if ($this->session !== null) {
            $session = $this->session;
            $this->session = null;
            try {
                $this->command('DELETE', "/session/$session", null, 10);
            } catch (\Throwable $e) {
                // the browser is gone already; chromedriver is stopped below
            }
        }
        if (is_resource($this->process)) {
            proc_terminate($this->process, 15);
            $deadline = microtime(true) + 3;
            while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
                usleep(20000);
            }
            if (proc_get_status($this->process)['running']) {
                proc_terminate($this->process, 9);
            }
            proc_close($this->process);
            $this->process = null;
            if (is_file($this->log)) {
                @unlink($this->log);
            }
        }
    }

    public function get(string $url): void
    {
        $this->command('POST', $this->path('/url'), ['url' => $url]);
    }

    /** Sets a cookie for the current page's host (the page must be open already). */
    public function addCookie(string $name, string $value): void
    {
        $this->command('POST', $this->path('/cookie'), ['cookie' => ['name' => $name, 'value' => $value, 'path' => '/']]);
    }

    public function deleteCookie(string $name): void
    {
        $this->command('DELETE', $this->path('/cookie/' . rawurlencode($name)));
    }

    /**
     * Runs JavaScript in the page; returns its result.
     *
     * @param list<mixed> $args
     * @return mixed
     */
    public function script(string $script, array $args = [])
    {
        return $this->command('POST', $this->path('/execute/sync'), ['script' => $script, 'args' => $args]);
    }

    public function currentUrl(): string
    {
        return (string) $this->command('GET', $this->path('/url'));
    }

    public function source(): string
    {
        return (string) $this->command('GET', $this->path('/source'));
    }

    /** The first element matching $css; waits for it (a submit's next page may still be loading). */
    public function find(string $css): string
    {
        return $this->waitFor($css);
    }

    /** @return list<string> element ids, in document order */
    public function findAll(string $css): array
    {
        $value = $this->command('POST', $this->path('/elements'), ['using' => 'css selector', 'value' => $css]);
        return array_map(function ($element) use ($css): string {
            return self::elementId($element, $css);
        }, is_array($value) ? $value : []);
    }

    public function has(string $css): bool
    {
        return $this->findAll($css) !== [];
    }

    /** Waits until an element matches (pages load after clicks); returns its id. */
    public function waitFor(string $css, float $timeout = 10.0): string
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $found = $this->findAll($css);
            if ($found !== []) {
                return $found[0];
            }
            if (microtime(true) > $deadline) {
                throw new WebDriverException(sprintf('no element matches %s after %.1f s on %s', $css, $timeout, $this->currentUrl()));
            }
            usleep(50000);
        }
    }

    public function click(string $css): void
    {
        $this->command('POST', $this->path('/element/' . $this->find($css) . '/click'), new \stdClass());
    }

    /** Clears the field and types the text into it. */
    public function type(string $css, string $text): void
    {
        $element = $this->find($css);
        $this->command('POST', $this->path("/element/$element/clear"), new \stdClass());
        $this->command('POST', $this->path("/element/$element/value"), ['text' => $text]);
    }

    /** The rendered text of the first element matching the selector (default: the whole page). */
    public function text(string $css = 'body'): string
    {
        return (string) $this->command('GET', $this->path('/element/' . $this->find($css) . '/text'));
    }

    /**
     * Saves a PNG of the page: the whole page (through the DevTools protocol), or only the window.
     */
    public function screenshot(string $file, bool $fullPage = true): void
    {
        $png = null;
        if ($fullPage) {
            try {
                $metrics = $this->cdp('Page.getLayoutMetrics');
                $size = $metrics['cssContentSize'] ?? $metrics['contentSize'] ?? null;
                if (is_array($size)) {
                    $shot = $this->cdp('Page.captureScreenshot', [
                        'format' => 'png',
                        'captureBeyondViewport' => true,
                        'clip' => ['x' => 0, 'y' => 0, 'width' => (float) $size['width'], 'height' => (float) $size['height'], 'scale' => 1],
                    ]);
                    $png = base64_decode((string) ($shot['data'] ?? ''), true);
                }
            } catch (WebDriverException $e) {
                $png = null;
            }
        }
        if (!is_string($png) || $png === '') {
            $png = base64_decode((string) $this->command('GET', $this->path('/screenshot')), true);
        }
        if (!is_string($png) || substr($png, 0, 8) !== "\x89PNG\r\n\x1a\n") {
            throw new WebDriverException('the screenshot is not a PNG image');
        }
        $dir = dirname($file);
        if (!is_dir($dir) && !mkdir($dir, 0777, true) && !is_dir($dir)) {
            throw new \RuntimeException("cannot create $dir");
        }
        if (file_put_contents($file, $png) !== strlen($png)) {
            throw new \RuntimeException("cannot write $file");
        }
    }

    /**
     * A Chrome DevTools Protocol command through chromedriver.
     *
     * @param array<string, mixed> $params
     * @return array<string, mixed>
     */
    public function cdp(string $command, array $params = []): array
    {
        $value = $this->command('POST', $this->path('/goog/cdp/execute'), ['cmd' => $command, 'params' => $params === [] ? new \stdClass() : $params]);
        return is_array($value) ? $value : [];
    }

    private function path(string $suffix): string
    {
        if ($this->session === null) {
            throw new WebDriverException('no WebDriver session (quit already?)');
        }
        return "/session/{$this->session}$suffix";
    }

    private function waitUntilReady(float $timeout): void
    {
        $deadline = microtime(true) + $timeout;
        $last = 'no answer';
        while (microtime(true) < $deadline) {
            if (!proc_get_status($this->process)['running']) {
                throw new WebDriverException(self::CHROMEDRIVER . ' exited at start' . (is_file($this->log) ? ': ' . trim((string) file_get_contents($this->log, false, null, 0, 2000)) : ''));
            }
            try {
                $status = $this->command('GET', '/status', null, 2);
                if (($status['ready'] ?? false) === true) {
                    return;
                }
                $last = (string) ($status['message'] ?? 'not ready');
            } catch (WebDriverException $e) {
                $last = $e->getMessage();
            }
            usleep(50000);
        }
        throw new WebDriverException(sprintf('chromedriver not ready after %.0f s: %s', $timeout, $last));
    }

    /** @param mixed $element */
    private static function elementId($element, string $css): string
    {
        if (!is_array($element) || !isset($element[self::ELEMENT])) {
            throw new WebDriverException("no element for $css in the answer");
        }
        return (string) $element[self::ELEMENT];
    }

    /**
     * Sends one command; returns the answer's value. Errors (HTTP status >= 400 or an error in the value)
     * become a WebDriverException naming the command, the error and its message.
     *
     * @param array<string, mixed>|\stdClass|null $body
     * @return mixed
     */
    private function command(string $method, string $path, $body = null, int $timeout = 30)
    {
        $curl = curl_init($this->base . $path);
        $options = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT => 5,
            CURLOPT_TIMEOUT => $timeout,
            CURLOPT_HTTPHEADER => ['Content-Type: application/json; charset=utf-8', 'Accept: application/json'],
        ];
        if ($method === 'POST') {
            $options[CURLOPT_POSTFIELDS] = json_encode($body ?? new \stdClass(), JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        }
        curl_setopt_array($curl, $options);
        $raw = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $error = curl_error($curl);
        curl_close($curl);
        if (!is_string($raw)) {
            throw new WebDriverException("WebDriver $method $path: no answer from chromedriver ($error)");
        }
        $answer = json_decode($raw, true);
        if (!is_array($answer) || !array_key_exists('value', $answer)) {
            throw new WebDriverException("WebDriver $method $path: HTTP $status, not a WebDriver answer: " . substr($raw, 0, 300));
        }
        $value = $answer['value'];
        if ($status >= 400 || (is_array($value) && isset($value['error']))) {
            $message = is_array($value) ? (string) ($value['message'] ?? '') : '';
            throw new WebDriverException(sprintf(
                'WebDriver %s %s: %s: %s',
                $method,
                $path,
                is_array($value) ? (string) ($value['error'] ?? "HTTP $status") : "HTTP $status",
                strtok($message, "\n") ?: '(no message)'
            ));
        }
        return $value;
    }
}
