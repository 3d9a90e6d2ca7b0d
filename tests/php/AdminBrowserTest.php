<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\TestCase;
use ZipArchive;

require_once __DIR__ . '/support/WebDriver.php';

/**
 * examples/admin in a real browser: headless Chromium drives the page served by `php -S` with the suite's
 * extension, against a shop database: sign in, find, the customer's decisions and consent history, the send
 * log, the export download, the erasure (preview, refused and real confirmation), retention, the request log.
 * Screenshots of every page go to target/test-output/screenshots/. CSRF, security headers and the refusal to
 * run without a password are checked with plain HTTP requests.
 */
final class AdminBrowserTest extends TestCase
{
    private const SECRET = '202f50101309d5da6dc1a05a0e17cfad0f6a409cf679b85a7106b8288c41272d';
    private const PASSWORD = 'Admin-Pass 7f3c9e1b';
    private const WORDING = 'Ja, ich möchte den Newsletter per E-Mail erhalten. Abmeldung jederzeit möglich.';

    /** @var Shop|null */
    private $shop;
    /** @var WebDriver|null */
    private $browser;
    /** @var list<array{proc: resource, log: string}> */
    private $servers = [];
    /** @var list<string> */
    private $cleanup = [];

    protected function tearDown(): void
    {
        if ($this->browser !== null) {
            $this->browser->quit();
            $this->browser = null;
        }
        foreach ($this->servers as $server) {
            self::stop($server['proc']);
            @unlink($server['log']);
        }
        $this->servers = [];
        if ($this->shop !== null) {
            $this->shop->drop();
            $this->shop = null;
        }
        foreach ($this->cleanup as $path) {
            self::remove($path);
        }
        $this->cleanup = [];
    }

    public function testAdminPageInTheBrowser(): void
    {
        if (($missing = WebDriver::missing()) !== null) {
            $this->markTestSkipped($missing);
        }
        $this->shop = ShopSchemas::directory() !== null
            ? Shop::create('oscommerce2.sql', 'oscommerce', '')
            : Shop::create('minimal', 'oscommerce', '');
        $store = $this->shop->store(['secret' => self::SECRET]);
        $store->migrate();
        [$erika, $bert] = $this->seed($store);

        $base = $this->server([
            'DSGVO_DSN' => $this->shop->db->dsn,
            'DSGVO_SHOP' => 'oscommerce',
            'DSGVO_SHOP_TABLE_PREFIX' => '',
            'DSGVO_SECRET' => self::SECRET,
            'DSGVO_ADMIN_PASSWORD' => self::PASSWORD,
        ], ['-d', 'dsgvo.retention_send_log_days=30']);
        $downloads = sys_get_temp_dir() . '/dsgvo-admin-downloads-' . getmypid() . '-' . mt_rand();
        mkdir($downloads);
        $this->cleanup[] = $downloads;
        $this->browser = WebDriver::start($downloads);
        $b = $this->browser;

        // Sign in: a wrong password is refused, the right one lets in.
        $b->get("$base/");
        $b->waitFor('#password');
        $this->assertStringContainsString('page=login', $b->currentUrl(), 'not signed in: the login form');
        $this->shot('01-login');
        $b->type('#password', 'wrong password');
        $b->click('#login-submit');
        $this->assertStringContainsString('Wrong password', $b->text('#login-error'));
        $b->type('#password', self::PASSWORD);
        $b->click('#login-submit');
        $b->waitFor('#search-form');

        // Find: a partial query is refused with the extension's message; the exact address finds the account.
        $b->type('#q', 'erika');
        $b->click('#search-submit');
        $this->assertStringContainsString('exact email address', $b->text('#q-error'));
        $this->shot('02-search-error');
        $b->type('#q', '  Erika.Admin@Example.org ');
        $b->click('#search-submit');
        $b->waitFor('#results');
        $results = $b->text('#results');
        $this->assertStringContainsString('erika.admin@example.org', $results);
        $this->assertStringContainsString((string) $erika, $results);
        $this->assertStringNotContainsString('bert@', $results, 'exact matches only');
        $this->assertStringContainsString('Mustermann <b>', $results, 'names are escaped, not markup');
        $this->shot('03-search-results');

        // The customer: a decision with its reason in German and English for every email type.
        $b->click('#results a.button');
        $b->waitFor('#decisions');
        $expected = [
            'newsletter' => ['erlaubt / allowed', 'Einwilligung liegt vor', 'Consent given and in force'],
            'winback' => ['erlaubt / allowed', 'Bestandskunde (§ 7 Abs. 3 UWG): eigene Bestellung mit dieser Adresse', 'Existing customer'],
            'order.confirmation' => ['erlaubt / allowed', 'Transaktions-E-Mail', 'not advertising, always allowed'],
            'review.request' => ['gesperrt / denied', 'Widerspruch gegen diese E-Mail-Art', 'Objected to this type of email'],
            'birthday' => ['gesperrt / denied', 'Double-Opt-in nicht bestätigt', 'Double opt-in not confirmed'],
            'partner.offers' => ['gesperrt / denied', 'Keine Einwilligung erteilt', 'No consent given'],
            'survey' => ['gesperrt / denied', 'Einwilligung widerrufen', 'Consent withdrawn'],
        ];
        $this->assertCount(count($expected), $b->findAll('#decisions tr.decision'), 'one row per defined email type');
        foreach ($expected as $type => $texts) {
            $row = $b->text("#decisions tr[data-type=\"$type\"]");
            $this->assertSame($store->maySend($erika, $type)->allowed, $texts[0] === 'erlaubt / allowed', $type);
            foreach ($texts as $text) {
                $this->assertStringContainsString($text, $row, "decision for $type");
            }
        }
        $history = $store->consentHistory($erika);
        $this->assertCount(count($history), $b->findAll('#consents tr.consent-event'), 'one row per consent event');
        $consents = $b->text('#consents');
        $this->assertStringContainsString(self::WORDING, $consents);
        $this->assertStringContainsString('203.0.113.7', $consents);
        $this->assertStringContainsString('widerrufen', $consents);
        $this->assertStringContainsString('vip', $b->text('#tags'));
        $this->assertStringContainsString('Widerspruch / objected', $b->text('#objections'));
        $this->shot('04-customer');

        // The send log and the objections with their proof, on the same page; reading them is no export.
        $this->assertStringContainsString('Unser Herbst-Newsletter', $b->text('#sendlog-table'));
        $this->assertCount(count($store->sendLog($erika)), $b->findAll('#sendlog-table tbody tr'));
        $this->assertStringContainsString('review.request', $b->text('#optouts-table'));
        $this->assertCount(1, $store->requestLog(['kind' => 'export']), "viewing a customer logs no export (only Bert's)");

        // The export download.
        $b->click('#export-submit');
        $zipFile = $this->waitForDownload($downloads, "dsgvo-export-$erika.zip");
        $zip = new ZipArchive();
        $this->assertTrue($zip->open($zipFile, ZipArchive::CHECKCONS), 'the download is a valid ZIP');
        $names = [];
        for ($i = 0; $i < $zip->numFiles; $i++) {
            $names[] = $zip->getNameIndex($i);
        }
        $this->assertContains('export.json', $names);
        $this->assertContains('manifest.json', $names);
        $document = json_decode((string) $zip->getFromName('export.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame($erika, $document['subject']['customer_id']);
        $this->assertContains('erika.admin@example.org', $document['subject']['emails']);
        $zip->close();

        // Erasure: the dry run's counts, a refused confirmation, the erasure and its report.
        $preview = $store->erase($erika, ['dry_run' => true, 'shop_data' => true]);
        $b->click('#erase-link');
        $b->waitFor('#erase-form');
        $this->assertSame((string) array_sum($preview['removed']), $b->text('#count-removed'));
        $this->assertSame((string) array_sum($preview['anonymized']), $b->text('#count-anonymized'));
        $this->assertSame('1', $b->text('#count-suppressed'));
        $this->assertGreaterThan(0, array_sum($preview['removed']));
        $retained = $b->text('#retained');
        $this->assertStringContainsString('orders', $retained);
        $this->assertStringContainsString('tax law', $retained);
        $this->assertNotSame([], $store->findCustomers((string) $erika), 'the preview changed nothing');
        $this->shot('05-erase-preview');

        $b->type('#confirm-id', '999');
        $b->click('#erase-submit');
        $this->assertStringContainsString('Type the customer id', $b->text('.box-error'));
        $this->assertNotSame([], $store->findCustomers((string) $erika), 'a wrong confirmation erases nothing');
        $this->shot('06-erase-refused');

        $b->type('#confirm-id', (string) $erika);
        $b->click('#erase-submit');
        $b->waitFor('#erase-done');
        $this->assertSame((string) array_sum($preview['removed']), $b->text('#count-removed'));
        $this->assertSame('1', $b->text('#count-suppressed'));
        $this->shot('07-erase-report');
        $this->assertSame([], $store->findCustomers('erika.admin@example.org'));
        $this->assertSame([], $store->findCustomers((string) $erika));
        $erasures = $store->requestLog(['kind' => 'erasure']);
        $this->assertCount(1, $erasures);
        $this->assertSame('ok', $erasures[0]['outcome']);
        $this->assertTrue($erasures[0]['in_time']);
        $this->assertSame('unknown_customer', $store->maySend($erika, 'newsletter')->reason, 'the account is gone (its address is suppressed)');

        // Retention: Bert's send of 60 days ago is due (dsgvo.retention_send_log_days=30), then purged.
        $b->get("$base/?page=retention");
        $b->waitFor('#due');
        $this->assertStringContainsString('1', $b->text('#due caption .total'));
        $this->shot('08-retention');
        $b->click('#purge-submit');
        $b->waitFor('#purged');
        $this->assertSame('1', $b->text('#purged-total'));
        $this->assertSame('0', $b->text('#due caption .total'));
        $this->shot('09-retention-purged');

        // The request log: open requests first (an overdue one red), then the erasure, the exports, Bert's late
        // answer marked.
        $overdue = $store->registerRequest('objection', 'someone@example.org', ['received_at' => gmdate('Y-m-d', time() - 35 * 86400)]);
        $store->registerRequest('access', $bert, ['identity_verified' => true]);
        $b->get("$base/?page=requests");
        $b->waitFor('#open-requests');
        $this->assertCount(2, $b->findAll('#open-requests tbody tr'));
        $this->assertCount(1, $b->findAll('#open-requests tr.late'));
        $this->assertStringContainsString('überfällig / overdue', $b->text('#open-requests tr.late'));
        $this->assertStringContainsString('someone@example.org', $b->text('#open-requests tr.late'));
        $this->shot('10-open-requests');
        $store->closeRequest($overdue);
        $this->assertCount(count($store->requestLog()), $b->findAll('#request-log tbody tr'));
        $this->assertTrue($b->has('#request-log tr[data-kind="erasure"]'));
        $this->assertCount(2, $b->findAll('#request-log tr.late'), "Bert's export was answered late; the objection is overdue");
        $this->assertStringContainsString('nein / no', $b->text('#request-log tr.late[data-kind="export"]'));
        $this->shot('10-request-log');

        // Tag rules: listed with the counts of their last run (a rule not run yet says so).
        $store->defineTagRule('buyers', 'buyer', ['min_orders' => 1]);
        $store->defineTagRule('fans', 'fan', ['min_rating' => 4]);
        $store->applyTagRules(['rules' => ['buyers']]);
        $b->get("$base/?page=tags");
        $b->waitFor('#tag-rules');
        $this->assertCount(2, $b->findAll('#tag-rules tbody tr'));
        $buyers = array_column($store->tagRules(), null, 'rule')['buyers'];
        $this->assertSame((string) $buyers['last_added'], $b->text('#tag-rules tr[data-rule="buyers"] .added'));
        $this->assertSame((string) $buyers['last_matching'], $b->text('#tag-rules tr[data-rule="buyers"] .matching'));
        $this->assertStringContainsString('mind. 1 Bestellungen', $b->text('#tag-rules tr[data-rule="buyers"]'));
        $this->assertStringContainsString('nie / never', $b->text('#tag-rules tr[data-rule="fans"]'));
        $this->shot('11-tag-rules');

        // Nothing secret on any page, no PHP warning in the server's log.
        foreach (['search', 'retention', 'requests', 'tags'] as $page) {
            $b->get("$base/?page=$page");
            $source = $b->source();
            $this->assertStringNotContainsString(self::SECRET, $source);
            $this->assertStringNotContainsString(self::PASSWORD, $source);
        }

        $this->checkHttp($base, $bert, $store);
        $log = (string) file_get_contents($this->servers[0]['log']);
        $this->assertDoesNotMatchRegularExpression('/PHP (Fatal|Warning|Notice|Deprecated|Parse)/', $log, $log);
    }

    public function testRefusesToRunWithoutAPassword(): void
    {
        $base = $this->server(['DSGVO_DSN' => TestDatabase::baseDsn(), 'DSGVO_SECRET' => self::SECRET]);
        [$status, , $body] = self::request('GET', "$base/?page=search");
        $this->assertSame(500, $status);
        $this->assertStringContainsString('DSGVO_ADMIN_PASSWORD is not set', $body);
        $this->assertStringNotContainsString(self::SECRET, $body);
        [$status, , $body] = self::request('POST', "$base/?page=login", ['password' => '']);
        $this->assertSame(500, $status, 'a POST is refused the same way');
        $this->assertStringContainsString('DSGVO_ADMIN_PASSWORD is not set', $body);
    }

    /**
     * Two customers: Erika with consents, objections, an order, sends and a tag; Bert with an old send and a
     * late answered export. Seven email types, one for each reason Erika's decisions show.
     *
     * @return array{0: int, 1: int}
     */
    private function seed(\Dsgvo\Store $store): array
    {
        $shop = $this->shop;
        $erika = $shop->addCustomer('erika.admin@example.org');
        $shop->db->pdo->exec("UPDATE {$shop->table('customers')} SET customers_firstname = 'Erika', customers_lastname = 'Mustermann <b>' WHERE customers_id = $erika");
        $bert = $shop->addCustomer('bert@example.org');
        $order = $shop->addOrder($erika, 'erika.admin@example.org', 20);

        $store->defineEmailType('newsletter', 'consent');
        $store->defineEmailType('winback', 'existing_customer', ['max_age_days' => 365, 'notice_since' => '2020-01-01']);
        $store->defineEmailType('order.confirmation', 'transactional');
        $store->defineEmailType('review.request', 'consent', ['min_interval_days' => 30]);
        $store->defineEmailType('birthday', 'consent');
        $store->defineEmailType('partner.offers', 'consent');
        $store->defineEmailType('survey', 'consent');

        $store->grantConsent($erika, 'newsletter', [
            'source' => 'checkout', 'text' => self::WORDING, 'text_version' => '2026-01',
            'ip' => '203.0.113.7', 'user_agent' => 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
        ]);
        $store->requestConsent($erika, 'birthday', ['source' => 'account', 'ip' => '203.0.113.7']);
        $store->grantConsent($erika, 'survey', ['source' => 'admin', 'actor' => 'shop-admin']);
        $store->revokeConsent($erika, 'survey', ['source' => 'account']);
        $store->optOut($erika, 'review.request', ['source' => 'account', 'ip' => '203.0.113.7']);
        $store->logSend($erika, 'newsletter', ['email' => 'erika.admin@example.org', 'subject' => 'Unser Herbst-Newsletter']);
        $store->logSend($erika, 'order.confirmation', ['email' => 'erika.admin@example.org', 'subject' => 'Ihre Bestellung', 'order_id' => $order]);
        $store->tag($erika, 'vip', 'spent.over.1000');

        $store->logSend($bert, 'newsletter', ['email' => 'bert@example.org', 'subject' => 'Alt', 'sent_at' => gmdate('Y-m-d\TH:i:s\Z', time() - 60 * 86400)]);
        $file = sys_get_temp_dir() . '/dsgvo-admin-late-' . getmypid() . '.json';
        $this->cleanup[] = $file;
        $store->exportTo($bert, $file, 'json', ['overwrite' => true, 'received_at' => gmdate('Y-m-d', time() - 40 * 86400)]);
        return [$erika, $bert];
    }

    /** CSRF, methods and headers, with plain HTTP requests. */
    private function checkHttp(string $base, int $bert, \Dsgvo\Store $store): void
    {
        $jar = tempnam(sys_get_temp_dir(), 'dsgvo-admin-cookies-');
        $this->cleanup[] = (string) $jar;
        $erase = "$base/?page=erase&id=$bert";
        $fields = ['id' => (string) $bert, 'confirm_id' => (string) $bert];

        [$status] = self::request('POST', $erase, $fields, $jar);
        $this->assertSame(403, $status, 'a POST without a session and token is refused');

        [$status, $headers, $body] = self::request('GET', "$base/?page=login", [], $jar);
        $this->assertSame(200, $status);
        $this->assertStringContainsString("Content-Security-Policy: default-src 'self'", $headers);
        $this->assertStringContainsString('X-Frame-Options: DENY', $headers);
        $this->assertStringContainsString('Referrer-Policy: no-referrer', $headers);
        $this->assertStringContainsString('Cache-Control: no-store', $headers);
        $this->assertSame(1, preg_match('/name="csrf" value="([0-9a-f]{64})"/', $body, $m));
        [$status, $headers] = self::request('POST', "$base/?page=login", ['csrf' => $m[1], 'password' => self::PASSWORD], $jar);
        $this->assertSame(303, $status, 'signed in');

        [, , $body] = self::request('GET', $erase, [], $jar);
        $this->assertSame(1, preg_match('/name="csrf" value="([0-9a-f]{64})"/', $body, $m));
        $token = $m[1];
        [$status, , $body] = self::request('POST', $erase, $fields, $jar);
        $this->assertSame(403, $status, 'no token');
        $this->assertStringContainsString('CSRF', $body);
        [$status] = self::request('POST', $erase, $fields + ['csrf' => str_repeat('0', 64)], $jar);
        $this->assertSame(403, $status, 'a wrong token');
        [$status] = self::request('POST', $erase, $fields + ['csrf' => substr($token, 0, 63)], $jar);
        $this->assertSame(403, $status, 'a cut token');
        [$status] = self::request('GET', "$base/?page=export&id=$bert", [], $jar);
        $this->assertSame(405, $status, 'the export is never answered to GET');
        [$status] = self::request('GET', "$base/?page=erase&id=$bert&confirm_id=$bert", [], $jar);
        $this->assertSame(200, $status, 'GET shows the preview');
        $this->assertNotSame([], $store->findCustomers((string) $bert), 'Bert was not erased');
        $this->assertCount(1, $store->requestLog(['kind' => 'erasure']), 'only the erasure of Erika');
        [$status] = self::request('POST', $erase, $fields + ['csrf' => $token], $jar);
        $this->assertSame(200, $status, 'with the token the erasure runs');
        $this->assertSame([], $store->findCustomers((string) $bert));
    }

    /**
     * Starts `php -S` on examples/admin with the suite's extension; returns its base URL.
     *
     * @param array<string, string> $env
     * @param list<string> $phpArgs
     */
    private function server(array $env, array $phpArgs = []): string
    {
        $root = dirname(__DIR__, 2) . '/examples/admin';
        $port = WebDriver::freePort();
        $log = sys_get_temp_dir() . "/dsgvo-admin-server-$port.log";
        $environment = getenv();
        unset($environment['DSGVO_ADMIN_CONFIG'], $environment['DSGVO_ADMIN_PASSWORD'], $environment['DSGVO_SECRET'], $environment['DSGVO_SHOP'],
            $environment['DSGVO_ADMIN_TRUSTED_PROXIES'], $environment['DSGVO_ADMIN_SECURE_COOKIE']);
        // Sign-in counters of this run only: runs of the suite must not lock each other out.
        $attempts = sys_get_temp_dir() . "/dsgvo-admin-attempts-$port-" . bin2hex(random_bytes(4));
        $this->cleanup[] = $attempts;
        $environment = $env + ['DSGVO_ADMIN_LOGIN_ATTEMPTS_DIR' => $attempts] + $environment;
        $command = array_merge(
            [PHP_BINARY, '-d', 'extension=' . Php::extensionPath(), '-d', 'display_errors=0', '-d', 'log_errors=1', '-d', 'error_reporting=-1'],
            $phpArgs,
            ['-S', "127.0.0.1:$port", '-t', $root]
        );
        $proc = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes, $root, $environment);
        if (!is_resource($proc)) {
            $this->fail('cannot start php -S');
        }
        $this->servers[] = ['proc' => $proc, 'log' => $log];
        $deadline = microtime(true) + 10;
        while (true) {
            $socket = @fsockopen('127.0.0.1', $port, $errno, $error, 0.2);
            if ($socket !== false) {
                fclose($socket);
                return "http://127.0.0.1:$port";
            }
            if (!proc_get_status($proc)['running'] || microtime(true) > $deadline) {
                $this->fail('php -S did not start: ' . file_get_contents($log));
            }
            usleep(20000);
        }
    }

    /**
     * @param array<string, string> $fields
     * @return array{0: int, 1: string, 2: string} status, headers, body
     */
    private static function request(string $method, string $url, array $fields = [], ?string $jar = null): array
    {
        $curl = curl_init($url);
        $options = [CURLOPT_RETURNTRANSFER => true, CURLOPT_HEADER => true, CURLOPT_TIMEOUT => 20, CURLOPT_FOLLOWLOCATION => false];
        if ($method === 'POST') {
            $options[CURLOPT_POST] = true;
            $options[CURLOPT_POSTFIELDS] = http_build_query($fields);
        }
        if ($jar !== null) {
            $options[CURLOPT_COOKIEJAR] = $jar;
            $options[CURLOPT_COOKIEFILE] = $jar;
        }
        curl_setopt_array($curl, $options);
        $raw = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $headerSize = (int) curl_getinfo($curl, CURLINFO_HEADER_SIZE);
        curl_close($curl);
        if (!is_string($raw)) {
            throw new \RuntimeException("no answer from $url");
        }
        return [$status, substr($raw, 0, $headerSize), substr($raw, $headerSize)];
    }

    private function shot(string $name): void
    {
        $this->browser->screenshot(dirname(__DIR__, 2) . "/target/test-output/screenshots/$name.png");
    }

    /** Waits for Chromium to finish a download; returns the file's path. */
    private function waitForDownload(string $dir, string $name): string
    {
        $deadline = microtime(true) + 15;
        while (microtime(true) < $deadline) {
            $partial = glob("$dir/*.crdownload") ?: [];
            if (is_file("$dir/$name") && $partial === [] && filesize("$dir/$name") > 0) {
                return "$dir/$name";
            }
            usleep(100000);
        }
        $this->fail("no download $name in $dir: " . implode(', ', scandir($dir) ?: []));
    }

    /** @param resource $proc */
    private static function stop($proc): void
    {
        proc_terminate($proc, 15);
        $deadline = microtime(true) + 3;
        while (proc_get_status($proc)['running'] && microtime(true) < $deadline) {
            usleep(20000);
        }
        if (proc_get_status($proc)['running']) {
            proc_terminate($proc, 9);
        }
        proc_close($proc);
    }

    private static function remove(string $path): void
    {
        if (is_dir($path)) {
            foreach (scandir($path) ?: [] as $entry) {
                if ($entry !== '.' && $entry !== '..') {
                    self::remove("$path/$entry");
                }
            }
            @rmdir($path);
        } elseif (file_exists($path)) {
            @unlink($path);
        }
    }
}
