<?php
declare(strict_types=1);

namespace Dsgvo\Tests\Shops;

use Dsgvo\Store;
use Dsgvo\Tests\Php;
use Dsgvo\Tests\TestDatabase;
use Dsgvo\Tests\WebDriver;
use Dsgvo\Tests\WebDriverException;

/**
 * What an end-to-end test in a real shop does the same way whatever the shop: log and assert the decision at a
 * step, screenshots, downloads, and reading the captured mail (recipients; List-Unsubscribe and -Post parsed back
 * with PHP's and Python's own mail parsers).
 */
trait ShopEndToEnd
{
    /** @var TestDatabase|null */
    private $db;
    /** @var ShopWeb|null */
    private $web;
    /** @var WebDriver|null */
    private $browser;
    /** @var Store */
    private $store;
    /** @var string target/e2e/<shop>: screenshots and decisions.log */
    private $out = '';
    /** @var list<string> */
    private $decisions = [];

    /**
     * Skips, saying so, when the shop's sources, Chromium, PHP-FPM or nginx are missing; otherwise clears
     * target/e2e/<key>/, creates the test database and the scratch web (not started).
     */
    private function startShopTest(string $key, string $title, bool $sourcesFound, string $fixture): void
    {
        if (!$sourcesFound) {
            $this->markTestSkipped("SKIPPED: $title sources not found (../shared/fixtures/shops/$fixture or DSGVO_SHOP_SOURCES); the $title end-to-end test did not run");
        }
        if (($missing = WebDriver::missing()) !== null) {
            $this->markTestSkipped($missing);
        }
        $php = PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
        foreach (["php-fpm$php", 'nginx'] as $tool) {
            if (trim((string) shell_exec('command -v ' . $tool)) === '') {
                $this->markTestSkipped("SKIPPED: $tool not installed (apt-get install php$php-fpm nginx-light); the $title end-to-end test did not run");
            }
        }
        $this->out = dirname(__DIR__, 4) . '/target/e2e/' . $key;
        foreach (glob($this->out . '/*.png') ?: [] as $old) {
            unlink($old);
        }
        $this->db = TestDatabase::create('e2e_' . $key);
        $this->web = new ShopWeb($this->out . '/work', Php::extensionPath());
    }

    /** Stops browser and servers, drops the database; the scratch tree stays after a failure, for a look. */
    protected function tearDown(): void
    {
        if ($this->browser !== null) {
            $this->browser->quit();
            $this->browser = null;
        }
        if ($this->web !== null) {
            $this->web->stop();
            if (!ShopWeb::failed($this)) {
                ShopWeb::remove($this->web->docroot ?? '');
            }
            $this->web = null;
        }
        if ($this->db !== null) {
            $this->db->drop();
            $this->db = null;
        }
        if ($this->decisions !== []) {
            file_put_contents($this->out . '/decisions.log', implode("\n", $this->decisions) . "\n");
        }
    }

    private function decision(string $step, int $customerId, string $type, string $expected): void
    {
        $d = $this->store->maySend($customerId, $type);
        $this->decisions[] = sprintf('%-45s customer %d %-16s %s (%s)', $step, $customerId, $type, $d->allowed ? 'allowed' : 'denied', $d->reason);
        $this->assertSame($expected, $d->reason, "$step: maySend($customerId, $type)");
    }

    /** @return list<array<string, mixed>> the customer's ledger events of one purpose, oldest first */
    private function consentsFor(int $customerId, string $purpose): array
    {
        return array_values(array_filter($this->store->consentHistory($customerId), function (array $e) use ($purpose): bool {
            return $e['purpose'] === $purpose;
        }));
    }

    /** @param callable(): bool $done */
    private function waitUntil(callable $done, string $what): void
    {
        for ($until = microtime(true) + 15; !$done() && microtime(true) < $until;) {
            usleep(200000);
        }
        $this->assertTrue($done(), $what);
    }

    /**
     * Clicks what sends a form (or follows a link) and waits until the browser shows the next page: a fresh document,
     * fully loaded. Waiting for an element instead would find it on the old page when both have it.
     */
    private function clickAndWaitForNextPage(string $css): void
    {
        $b = $this->browser;
        $b->script('window.dsgvoOldPage = true;');
        $b->click($css);
        $this->waitUntil(function () use ($b): bool {
            try {
                return $b->script('return !window.dsgvoOldPage && document.readyState === "complete";') === true;
            } catch (WebDriverException $e) {
                return false; // the page is being replaced
            }
        }, "the page after clicking $css");
    }

    /**
     * Keeps a screenshot as test output. A screenshot is evidence, not a step: when Chromium does not deliver one
     * in time (seen once under load in the PHP 8.4 root, right after a form was sent), the log says so and the
     * test goes on; a browser that is really stuck fails the next step that needs it.
     */
    private function shot(string $name): void
    {
        try {
            $this->browser->screenshot($this->out . "/$name.png");
        } catch (WebDriverException $e) {
            $this->decisions[] = "screenshot $name not taken: " . $e->getMessage();
        }
    }

    private function waitForDownload(string $dir, string $name): string
    {
        $deadline = microtime(true) + 20;
        while (microtime(true) < $deadline) {
            if (is_file("$dir/$name") && !is_file("$dir/$name.crdownload")) {
                return "$dir/$name";
            }
            usleep(100000);
        }
        $this->fail("no download $name in $dir: " . implode(', ', scandir($dir) ?: []));
    }

    /** @return array<string, string> recipient => raw message, of the captured mails */
    private function mailsTo(): array
    {
        $out = [];
        foreach ($this->web->mails() as $file) {
            $raw = (string) file_get_contents($file);
            if (preg_match('/^To: (.*)$/mi', $raw, $m) && preg_match('/<?([^<>\s]+@[^<>\s]+)>?\s*$/', trim($m[1]), $a)) {
                $out[strtolower($a[1])] = $raw;
            }
        }
        return $out;
    }

    /** @return array{0: array<string, string>, 1: string} headers (lowercase names, unfolded, not decoded) and the text of its text parts, decoded */
    private function parseMail(string $raw): array
    {
        $raw = str_replace("\r\n", "\n", $raw);
        [$head] = explode("\n\n", $raw, 2);
        $head = preg_replace("/\n[ \t]+/", ' ', $head);
        $headers = [];
        foreach (explode("\n", (string) $head) as $line) {
            if (strpos($line, ':') !== false) {
                [$name, $value] = explode(':', $line, 2);
                $headers[strtolower(trim($name))] = trim($value);
            }
        }
        $this->assertArrayHasKey('list-unsubscribe', $headers, (string) $head);
        // PHP's own MIME header parser must read the same values back.
        $decoded = iconv_mime_decode_headers((string) $head, ICONV_MIME_DECODE_CONTINUE_ON_ERROR, 'UTF-8');
        $this->assertIsArray($decoded);
        $this->assertSame($headers['list-unsubscribe'], $decoded['List-Unsubscribe'] ?? null, 'iconv reads the header as written');
        // And Python's email package, where the system has Python (Debian's python3 is not required here).
        if (is_executable('/usr/bin/python3')) {
            $proc = proc_open(['/usr/bin/python3', '-c', 'import email, email.policy, sys; m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default); print(str(m["List-Unsubscribe"])); print(str(m["List-Unsubscribe-Post"]))'],
                [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            fwrite($pipes[0], $raw);
            fclose($pipes[0]);
            $read = explode("\n", trim((string) stream_get_contents($pipes[1])));
            $this->assertSame(0, proc_close($proc), 'python3 parsed the mail');
            $this->assertSame([$headers['list-unsubscribe'], $headers['list-unsubscribe-post'] ?? null], $read, 'Python reads the headers as written');
        }
        return [$headers, implode("\n", self::mailTexts($raw))];
    }

    /**
     * The newest link matching $pattern in a mail to the address (e.g. the double opt-in link), looked for in the
     * mail's text parts as a reader sees them: decoded by their Content-Transfer-Encoding and charset. Decoding
     * the raw mail as quoted-printable instead misses base64 parts and corrupts an 8bit or 7bit part's "=HH"
     * (a link's "c=1234" became "c\x124").
     */
    private function linkMailedTo(string $email, string $pattern): string
    {
        $link = null;
        foreach ($this->web->mails() as $file) {
            $raw = (string) file_get_contents($file);
            if (preg_match('/^To:.*$/mi', $raw, $to) !== 1 || stripos($to[0], $email) === false) {
                continue;
            }
            foreach (self::mailTexts($raw) as $text) {
                if (preg_match($pattern, $text, $m)) {
                    $link = html_entity_decode($m[0]);
                }
            }
        }
        $this->assertNotNull($link, "a mail with the link was captured for $email");
        return (string) $link;
    }

    /**
     * The text/* parts of a raw mail (multipart nested or not), each decoded by its Content-Transfer-Encoding
     * (base64, quoted-printable; 7bit and 8bit as they are) and converted from its charset to UTF-8.
     *
     * @return list<string>
     */
    private static function mailTexts(string $raw): array
    {
        $raw = str_replace("\r\n", "\n", $raw);
        if (strpos($raw, "\n") === 0) {
            [$head, $body] = ['', substr($raw, 1)]; // a part without headers: text/plain, us-ascii
        } else {
            [$head, $body] = array_pad(explode("\n\n", $raw, 2), 2, '');
        }
        $head = (string) preg_replace("/\n[ \t]+/", ' ', $head);
        $type = preg_match('/^Content-Type:\s*([^;\s]+)(.*)$/mi', $head, $t) === 1 ? strtolower($t[1]) : 'text/plain';
        $params = $t[2] ?? '';
        if (strpos($type, 'multipart/') === 0) {
            if (preg_match('/boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i', $params, $b) !== 1) {
                return [];
            }
            $texts = [];
            $parts = explode("\n--" . ($b[1] !== '' ? $b[1] : $b[2]), "\n" . $body);
            array_shift($parts); // the preamble
            foreach ($parts as $part) {
                if (strpos($part, '--') === 0) {
                    break; // the closing delimiter
                }
                $texts = array_merge($texts, self::mailTexts((string) substr($part, (int) strpos($part, "\n") + 1)));
            }
            return $texts;
        }
        if (strpos($type, 'text/') !== 0) {
            return [];
        }
        $encoding = preg_match('/^Content-Transfer-Encoding:\s*(\S+)/mi', $head, $e) === 1 ? strtolower($e[1]) : '7bit';
        if ($encoding === 'base64') {
            $body = (string) base64_decode((string) preg_replace('/\s+/', '', $body), true);
        } elseif ($encoding === 'quoted-printable') {
            $body = quoted_printable_decode($body);
        }
        $charset = preg_match('/charset\s*=\s*"?([A-Za-z0-9_.:-]+)/i', $params, $c) === 1 ? strtoupper($c[1]) : 'US-ASCII';
        if (!in_array($charset, ['UTF-8', 'US-ASCII'], true)) {
            $body = mb_convert_encoding($body, 'UTF-8', $charset);
        }
        return [$body];
    }
}
