<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/support/WebDriver.php';

/**
 * The admin page's built-in login over HTTP (php -S on examples/admin, no database needed): failed sign-ins
 * are limited per client address and per account without sleeping in the worker, and logged without the
 * password; the session cookie is Secure behind a trusted TLS-terminating proxy.
 */
final class AdminLoginTest extends TestCase
{
    private const PASSWORD = 'correct horse battery staple';

    /** @var list<array{proc: resource, log: string, dir: string}> */
    private $servers = [];
    /** @var list<string> cookie jars of browser(), removed after the test */
    private $jars = [];

    protected function tearDown(): void
    {
        foreach ($this->servers as $server) {
            proc_terminate($server['proc'], 9);
            proc_close($server['proc']);
            @unlink($server['log']);
            foreach (glob($server['dir'] . '/*') ?: [] as $file) {
                unlink($file);
            }
            @rmdir($server['dir']);
        }
        $this->servers = [];
        foreach ($this->jars as $jar) {
            @unlink($jar);
        }
        $this->jars = [];
    }

    /** @param array<string, string> $env */
    private function server(array $env = []): string
    {
        $root = dirname(__DIR__, 2) . '/examples/admin';
        $port = WebDriver::freePort();
        $log = sys_get_temp_dir() . "/dsgvo-admin-login-$port.log";
        $dir = sys_get_temp_dir() . "/dsgvo-admin-login-attempts-$port-" . bin2hex(random_bytes(4));
        $environment = getenv();
        foreach (['DSGVO_ADMIN_CONFIG', 'DSGVO_ADMIN_TRUSTED_PROXIES', 'DSGVO_ADMIN_SECURE_COOKIE'] as $name) {
            unset($environment[$name]);
        }
        $environment = $env + ['DSGVO_ADMIN_PASSWORD' => self::PASSWORD, 'DSGVO_ADMIN_LOGIN_ATTEMPTS_DIR' => $dir] + $environment;
        $command = [PHP_BINARY, '-d', 'extension=' . Php::extensionPath(), '-d', 'display_errors=0', '-d', 'log_errors=1',
            '-d', 'error_reporting=-1', '-S', "127.0.0.1:$port", '-t', $root];
        $proc = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes, $root, $environment);
        $this->assertIsResource($proc);
        $this->servers[] = ['proc' => $proc, 'log' => $log, 'dir' => $dir];
        $deadline = microtime(true) + 10;
        while (($socket = @fsockopen('127.0.0.1', $port, $errno, $error, 0.2)) === false) {
            if (microtime(true) > $deadline) {
                $this->fail('php -S did not start: ' . file_get_contents($log));
            }
            usleep(20000);
        }
        fclose($socket);
        return "http://127.0.0.1:$port";
    }

    private function log(): string
    {
        return (string) file_get_contents(end($this->servers)['log']);
    }

    /**
     * @param array<string, string> $fields
     * @param list<string> $headers
     * @return array{status: int, headers: string, body: string, seconds: float}
     */
    private static function request(string $method, string $url, array $fields, string $jar, array $headers = []): array
    {
        $curl = curl_init($url);
        $options = [CURLOPT_RETURNTRANSFER => true, CURLOPT_HEADER => true, CURLOPT_TIMEOUT => 20, CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_COOKIEJAR => $jar, CURLOPT_COOKIEFILE => $jar, CURLOPT_HTTPHEADER => $headers];
        if ($method === 'POST') {
            $options[CURLOPT_POST] = true;
            $options[CURLOPT_POSTFIELDS] = http_build_query($fields);
        }
        curl_setopt_array($curl, $options);
        $started = microtime(true);
        $raw = curl_exec($curl);
        $seconds = microtime(true) - $started;
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $size = (int) curl_getinfo($curl, CURLINFO_HEADER_SIZE);
        curl_close($curl);
        if (!is_string($raw)) {
            throw new \RuntimeException("no answer from $url");
        }
        return ['status' => $status, 'headers' => substr($raw, 0, $size), 'body' => substr($raw, $size), 'seconds' => $seconds];
    }

    /**
     * A browser of its own (cookie jar), coming through the proxy as $client when $client is given.
     *
     * @return callable(string): array{status: int, headers: string, body: string, seconds: float} signs in with a password
     */
    private function browser(string $base, ?string $client = null): callable
    {
        $jar = tempnam(sys_get_temp_dir(), 'dsgvo-jar-');
        $this->jars[] = $jar;
        $headers = $client !== null ? ["X-Forwarded-For: $client"] : [];
        $form = self::request('GET', "$base/?page=login", [], $jar, $headers);
        $this->assertSame(200, $form['status'], $form['body']);
        $this->assertSame(1, preg_match('/name="csrf" value="([0-9a-f]{64})"/', $form['body'], $m), $form['body']);
        $csrf = $m[1];
        return function (string $password) use ($base, $jar, $csrf, $headers): array {
            return self::request('POST', "$base/?page=login", ['csrf' => $csrf, 'password' => $password], $jar, $headers);
        };
    }

    public function testAnAddressIsLockedOutAfterFiveFailuresWithoutSleeping(): void
    {
        $base = $this->server();
        $signIn = $this->browser($base);
        for ($i = 1; $i <= 4; $i++) {
            $wrong = $signIn("guess-$i");
            $this->assertSame(403, $wrong['status'], $wrong['body']);
            $this->assertStringContainsString('Wrong password', $wrong['body']);
            $this->assertLessThan(0.5, $wrong['seconds'], 'a wrong password must be answered at once, not after a sleep');
        }
        $fifth = $signIn('guess-5');
        $this->assertSame(429, $fifth['status'], $fifth['body']);
        $this->assertMatchesRegularExpression('/^Retry-After: \d+\r?$/mi', $fifth['headers']);
        $this->assertLessThan(0.5, $fifth['seconds']);

        // Locked: the right password is refused too, at once, and a new session does not help.
        foreach ([$signIn, $this->browser($base)] as $browser) {
            $right = $browser(self::PASSWORD);
            $this->assertSame(429, $right['status'], $right['body']);
            $this->assertStringContainsString('Too many failed sign-ins', $right['body']);
            $this->assertDoesNotMatchRegularExpression('/^Location:/mi', $right['headers'], 'not signed in');
            $this->assertLessThan(0.5, $right['seconds']);
        }

        $log = $this->log();
        $this->assertSame(4, substr_count($log, 'dsgvo admin: wrong password (account admin, address 127.0.0.1)'), $log);
        $this->assertStringContainsString('wrong password; locked out for 900 s (account admin, address 127.0.0.1)', $log);
        $this->assertSame(2, substr_count($log, 'sign-in refused: locked out (account admin, address 127.0.0.1)'), $log);
        $this->assertStringNotContainsString('guess-', $log);
        $this->assertStringNotContainsString(self::PASSWORD, $log);
    }

    public function testManyGuessesAreAnsweredAtOnce(): void
    {
        $base = $this->server();
        $signIn = $this->browser($base);
        $started = microtime(true);
        $statuses = [];
        for ($i = 0; $i < 12; $i++) {
            $statuses[] = $signIn("many-$i")['status'];
        }
        $this->assertLessThan(3.0, microtime(true) - $started, '12 wrong guesses must not take 12 seconds');
        $this->assertSame(array_merge(array_fill(0, 4, 403), array_fill(0, 8, 429)), $statuses);
    }

    public function testLimitsArePerAddressAndPerAccountBehindATrustedProxy(): void
    {
        $base = $this->server(['DSGVO_ADMIN_TRUSTED_PROXIES' => '127.0.0.1']);
        $locked = $this->browser($base, '203.0.113.7');
        for ($i = 1; $i <= 5; $i++) {
            $locked("wrong-$i");
        }
        $this->assertSame(429, $locked(self::PASSWORD)['status'], 'the guessing address is locked out');
        // Another address still signs in: the lockout is per address.
        $other = $this->browser($base, '198.51.100.1');
        $this->assertSame(303, $other(self::PASSWORD)['status']);
        $this->assertStringContainsString('address 203.0.113.7', $this->log());

        // Guessing spread over many addresses (4 each, below the address limit) locks the account.
        for ($a = 1; $a <= 5; $a++) {
            $spread = $this->browser($base, "192.0.2.$a");
            for ($i = 1; $i <= 4; $i++) {
                // The 20th failure starts the account's lockout.
                $this->assertSame($a === 5 && $i === 4 ? 429 : 403, $spread("spread-$a-$i")['status'], "$a/$i");
            }
        }
        $fresh = $this->browser($base, '198.51.100.2');
        $refused = $fresh(self::PASSWORD);
        $this->assertSame(429, $refused['status'], 'the account is locked after 20 failures from any addresses');
        $this->assertStringNotContainsString('spread-', $this->log());
    }

    public function testForwardedForFromAnUntrustedClientIsIgnored(): void
    {
        $base = $this->server();
        for ($i = 1; $i <= 5; $i++) {
            // A new forged address each time: without a trusted proxy the header is ignored.
            $this->browser($base, "10.9.8.$i")("forged-$i");
        }
        $this->assertSame(429, $this->browser($base, '10.9.8.99')(self::PASSWORD)['status']);
    }

    /** @return array<string, array{0: array<string, string>, 1: list<string>, 2: bool}> */
    public static function cookieCases(): array
    {
        return [
            'plain http' => [[], [], false],
            'https at a trusted proxy' => [['DSGVO_ADMIN_TRUSTED_PROXIES' => '10.0.0.1, 127.0.0.1'], ['X-Forwarded-Proto: https'], true],
            'proxy says http' => [['DSGVO_ADMIN_TRUSTED_PROXIES' => '127.0.0.1'], ['X-Forwarded-Proto: http'], false],
            'forwarded proto from an untrusted client' => [[], ['X-Forwarded-Proto: https'], false],
            'untrusted: another proxy address' => [['DSGVO_ADMIN_TRUSTED_PROXIES' => '10.0.0.1'], ['X-Forwarded-Proto: https'], false],
            'forced by configuration' => [['DSGVO_ADMIN_SECURE_COOKIE' => '1'], [], true],
        ];
    }

    /**
     * @dataProvider cookieCases
     * @param array<string, string> $env
     * @param list<string> $headers
     */
    #[DataProvider('cookieCases')]
    public function testSessionCookieIsSecureWhenTheBrowserUsedHttps(array $env, array $headers, bool $secure): void
    {
        $base = $this->server($env);
        $jar = tempnam(sys_get_temp_dir(), 'dsgvo-jar-');
        $page = self::request('GET', "$base/?page=login", [], $jar, $headers);
        unlink($jar);
        $this->assertSame(200, $page['status'], $page['body']);
        $this->assertSame(1, preg_match('/^Set-Cookie: DSGVOADMIN=[^\r\n]*/mi', $page['headers'], $m), $page['headers']);
        $this->assertSame($secure, (bool) preg_match('/;\s*secure\b/i', $m[0]), $m[0]);
        $this->assertMatchesRegularExpression('/;\s*HttpOnly/i', $m[0]);
        $this->assertMatchesRegularExpression('/;\s*SameSite=Strict/i', $m[0]);
    }
}
