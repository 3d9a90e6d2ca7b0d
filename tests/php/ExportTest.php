<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\DatabaseException;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;
use ZipArchive;

/**
 * The data export on every shop schema: every row of the customer appears, no value of another
 * customer does, secrets never do; the ZIP package; failures; the request log.
 */
final class ExportTest extends TestCase
{
    private const SECRET = 'e22ef73482a0c309111d165fbff2f06d32b6a9b401811927a8dce5a45138b101';

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    private function shop(string $fixture, string $preset, string $prefix): Shop
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        return Shop::create($fixture, $preset, $prefix);
    }

    /** Own data for a subject through the API, with markers 7001..7009. */
    private function ownData(Store $store, string $who, int $id, string $email): void
    {
        $store->grantConsent($id, 'newsletter', ['text' => "{$who}7001Q Einwilligungstext", 'user_agent' => "{$who}7002Q"]);
        $send = $store->logSend($id, 'newsletter', ['email' => $email, 'subject' => "{$who}7003Q"]);
        $store->rateEmail($send, 4, "{$who}7004Q");
        $store->archiveEmail($send, "{$who}7005Q", "{$who}7006Q <p>body</p>");
        $store->tag($id, strtolower($who) . '7007q', 'rule');
        $store->optOut($id, 'review', ['actor' => "{$who}7008Q"]);
        $store->optOutEmail($email, 'birthday', ['user_agent' => "{$who}7009Q"]);
    }

    private function tableExists(PDO $pdo, string $table): bool
    {
        $q = $pdo->prepare('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?');
        $q->execute([$table]);
        return $q->fetchColumn() !== false;
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEveryRowOfTheCustomerAndNothingOfAnother(string $fixture, string $preset, string $prefix): void
    {
        $shop = $this->shop($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $map = $store->dataMap();
            $filler = new Filler($shop->db->pdo, $map);
            $writtenA = $filler->fill('A', 101, 'anna@example.org');
            $filler->fill('B', 202, 'bert@example.org');
            $this->ownData($store, 'A', 101, 'anna@example.org');
            $this->ownData($store, 'B', 202, 'bert@example.org');

            $pdo = $shop->db->pdo;
            // A guest order with the customer's address (other case, spaces) belongs to the customer.
            $pdo->prepare("INSERT INTO {$shop->table('orders')} (customers_id, customers_email_address, customers_name) VALUES (0, ' ANNA@Example.org ', 'A9001Q')")->execute();
            if ($this->tableExists($pdo, $prefix . 'action_recorder')) {
                // An admin login with the same id number is another person.
                $pdo->prepare("INSERT INTO {$shop->table('action_recorder')} (module, user_id, user_name, identifier, success, date_added) VALUES ('ar_admin_login', 101, 'B9002Q', '10.0.0.1', 1, NOW())")->execute();
            }

            $json = $store->export(101);
            $doc = json_decode($json, true, 64, JSON_THROW_ON_ERROR);
            $this->assertSame('dsgvo-export/1', $doc['format']);
            $this->assertSame(101, $doc['subject']['customer_id']);
            $this->assertContains('anna@example.org', $doc['subject']['emails']);
            $this->assertSame($preset, $doc['shop']);
            $this->assertCount(count($map), array_merge($doc['sections'], $doc['skipped']), 'every mapped table is a section or skipped');

            $sections = array_column($doc['sections'], null, 'table');
            $this->assertNotEmpty($writtenA);
            foreach ($writtenA as $table => $markers) {
                $this->assertArrayHasKey($table, $sections, "$fixture: $table is exported");
                $this->assertNull($sections[$table]['error'], $table);
                $this->assertNotEmpty($sections[$table]['items'], "$fixture: the customer's $table row is exported");
                foreach ($markers['markers'] as $marker) {
                    $this->assertStringContainsString("\"$marker\"", $json, "$fixture: $table value $marker");
                }
                foreach ($markers['secret_markers'] as $marker) {
                    $this->assertStringNotContainsString($marker, $json, "$fixture: secret in $table exported");
                }
                if ($markers['secret_markers'] !== []) {
                    $this->assertStringContainsString('(present, not exported)', json_encode($sections[$table]['items']));
                }
            }
            foreach ([7001, 7002, 7003, 7004, 7005, 7006, 7008, 7009] as $i) {
                $this->assertStringContainsString("A{$i}Q", $json, "own data A{$i}Q");
            }
            $this->assertStringContainsString('"a7007q"', $json, 'own tag');
            $this->assertStringNotContainsString('b7007q', $json);
            $this->assertStringContainsString('A9001Q', $json, 'the guest order with the same address');
            $this->assertSame(0, preg_match("/.{0,80}B\\d+Q.{0,40}/", $json, $m), "a value of the other customer: " . ($m[0] ?? ""));
            $this->assertStringNotContainsString('bert@', $json);
        } finally {
            $shop->drop();
        }
    }

    public function testZipPackage(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-export-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('xss@example.org');
            $shop->db->pdo->exec("UPDATE customers SET customers_firstname = '<script>alert(1)</script>', customers_lastname = 'Müller, \"Erika\"' WHERE customers_id = $id");
            $shop->addOrder($id, 'xss@example.org', 3);
            // Formulas behind white space, a line break or a fullwidth sign: a spreadsheet runs them too.
            $formulas = [' =HYPERLINK("http://evil.example")', "\n@SUM(1)", "\u{FF1D}1+1", "\t-2+3"];
            foreach ($formulas as $i => $name) {
                $order = $shop->addOrder($id, 'xss@example.org', 4 + $i);
                $shop->db->pdo->prepare('UPDATE orders SET customers_name = ? WHERE orders_id = ?')->execute([$name, $order]);
            }
            $this->ownData($store, 'A', $id, 'xss@example.org');

            $manifest = $store->exportTo($id, "$dir/export.zip");
            $this->assertSame("$dir/export.zip", $manifest['path']);
            $this->assertSame(hash_file('sha256', "$dir/export.zip"), $manifest['sha256']);
            $this->assertSame(filesize("$dir/export.zip"), $manifest['bytes']);
            $this->assertSame([], $manifest['errors']);

            $zip = new ZipArchive();
            $this->assertTrue($zip->open("$dir/export.zip", ZipArchive::CHECKCONS));
            $packed = json_decode((string) $zip->getFromName('manifest.json'), true, 16, JSON_THROW_ON_ERROR);
            $this->assertSame('dsgvo-export/1', $packed['format']);
            $names = [];
            for ($i = 0; $i < $zip->numFiles; $i++) {
                $names[] = $zip->getNameIndex($i);
            }
            $this->assertSame(array_merge(array_keys($packed['files']), ['manifest.json']), $names);
            $this->assertContains('export.json', $names);
            $this->assertContains('index.html', $names);
            foreach ($packed['files'] as $name => $file) {
                $content = (string) $zip->getFromName($name);
                $this->assertSame($file['sha256'], hash('sha256', $content), $name);
                $this->assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $file['sha256']);
                $this->assertSame($file['bytes'], strlen($content));
            }
            $this->assertSame(array_keys($packed['files']) + [], array_slice(array_keys($manifest['files']), 0, count($packed['files'])));

            $csvs = preg_grep('~^sections/\d\d-.+\.csv$~', $names);
            $this->assertGreaterThanOrEqual(2, count($csvs));
            foreach ($csvs as $name) {
                $content = (string) $zip->getFromName($name);
                $this->assertStringStartsWith("\xEF\xBB\xBF", $content, "$name has a BOM");
                $stream = fopen('php://memory', 'r+');
                fwrite($stream, substr($content, 3));
                rewind($stream);
                $header = fgetcsv($stream, 0, ',', '"', '');
                $this->assertIsArray($header);
                while (($row = fgetcsv($stream, 0, ',', '"', '')) !== false) {
                    $this->assertCount(count($header), $row, $name);
                }
                fclose($stream);
            }
            $orders = (string) $zip->getFromName((string) current(preg_grep('~-orders\.csv$~', $names)));
            $stream = fopen('php://memory', 'r+');
            fwrite($stream, substr($orders, 3));
            rewind($stream);
            $header = fgetcsv($stream, 0, ',', '"', '');
            $cells = [];
            while (($row = fgetcsv($stream, 0, ',', '"', '')) !== false) {
                $cells[] = $row[array_search('customers_name', $header, true)];
            }
            fclose($stream);
            foreach ($formulas as $formula) {
                $this->assertContains("'$formula", $cells, 'guarded: ' . json_encode($formula));
            }
            $customers = (string) $zip->getFromName((string) current(preg_grep('~-customers\.csv$~', $names)));
            $this->assertStringContainsString('"Müller, ""Erika"""', $customers);

            $html = (string) $zip->getFromName('index.html');
            $this->assertStringNotContainsString('<script>alert', $html);
            $this->assertStringContainsString('&lt;script&gt;alert(1)&lt;/script&gt;', $html);
            $this->assertStringContainsString('<html lang="de">', $html);
            $this->assertStringContainsString('Customer account', $html);
            $doc = json_decode((string) $zip->getFromName('export.json'), true, 64, JSON_THROW_ON_ERROR);
            $this->assertSame($id, $doc['subject']['customer_id']);
            $zip->close();

            try {
                $store->exportTo($id, "$dir/export.zip");
                $this->fail('an existing file must not be replaced silently');
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString('overwrite', $e->getMessage());
            }
            $again = $store->exportTo($id, "$dir/export.zip", 'zip', ['overwrite' => true]);
            $this->assertSame(hash_file('sha256', "$dir/export.zip"), $again['sha256']);

            $json = $store->exportTo($id, "$dir/export.json", 'json');
            $this->assertSame(['export.json'], array_keys($json['files']));
            $this->assertSame($id, json_decode((string) file_get_contents("$dir/export.json"), true)['subject']['customer_id']);
            $this->assertSame(['export.json', 'export.zip'], array_values(array_diff(scandir($dir), ['.', '..'])), 'no temporary files left');
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testExportFilesAreOwnerOnlyWhateverTheUmask(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-export-mode-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        $umask = umask(0);                  // the most permissive umask: the files must still be 0600
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('mode@example.org');
            $this->ownData($store, 'M', $id, 'mode@example.org');
            $store->exportTo($id, "$dir/export.zip");
            $store->exportTo($id, "$dir/export.json", 'json');
            $store->exportTo($id, "$dir/export.zip", 'zip', ['overwrite' => true]);
            clearstatcache();
            foreach (['export.zip', 'export.json'] as $name) {
                $this->assertSame('0600', sprintf('%04o', fileperms("$dir/$name") & 0777), $name);
            }
            $this->assertSame(['export.json', 'export.zip'], array_values(array_diff(scandir($dir), ['.', '..'])));
        } finally {
            umask($umask);
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testConcurrentExportsToOnePathWithoutOverwriteExactlyOneWins(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-export-race-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        $script = "$dir/race.php";
        file_put_contents($script, '<?php
            [$_, $dsn, $id, $path, $go] = $argv;
            $store = new Dsgvo\Store(["dsn" => $dsn, "shop" => "oscommerce"]);
            $store->ping();
            while (!file_exists($go)) { usleep(200); }
            try { $store->exportTo((int) $id, $path); echo "ok"; }
            catch (Dsgvo\InvalidInputException $e) { echo "refused"; }
            catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(); }');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('race@example.org');
            $this->ownData($store, 'R', $id, 'race@example.org');
            // Some megabytes that do not compress: writing and syncing the file takes a while, as in a
            // real shop, so that exports finish close together.
            for ($i = 0; $i < 8; $i++) {
                $store->archiveEmail($store->logSend($id, 'newsletter'), "big $i", base64_encode(random_bytes(300000)));
            }
            for ($round = 1; $round <= 3; $round++) {
                $go = "$dir/go-$round";
                $target = "$dir/race-$round.zip";
                $procs = [];
                for ($i = 0; $i < 16; $i++) {
                    $procs[] = Php::start($script, [$shop->db->dsn, (string) $id, $target, $go]);
                }
                usleep(300000);             // let every process connect and wait at the barrier
                touch($go);
                $results = [];
                foreach ($procs as [$proc, $pipes]) {
                    $done = Php::finish($proc, $pipes, 60);
                    $results[] = $done['stdout'] . $done['stderr'];
                }
                sort($results);
                $this->assertSame(array_merge(['ok'], array_fill(0, 15, 'refused')), $results, "round $round");
                $zip = new ZipArchive();
                $this->assertTrue($zip->open($target, ZipArchive::CHECKCONS), "round $round: a whole ZIP");
                $zip->close();
            }
            $left = array_values(array_filter(scandir($dir), fn (string $f): bool => $f[0] === '.' && $f !== '.' && $f !== '..'));
            $this->assertSame([], $left, 'no working directory left behind');
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testASymlinkAtTheTargetIsRefusedAndLeftAsItWas(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-export-link-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('link@example.org');
            symlink("$dir/nowhere.zip", "$dir/dangling.zip");
            file_put_contents("$dir/victim.txt", 'keep me');
            symlink("$dir/victim.txt", "$dir/pointing.zip");
            foreach (['dangling.zip' => 'nowhere.zip', 'pointing.zip' => 'victim.txt'] as $link => $to) {
                foreach (['zip', 'json'] as $format) {
                    try {
                        $store->exportTo($id, "$dir/$link", $format);
                        $this->fail("a symlink at the target was replaced ($link, $format)");
                    } catch (InvalidInputException $e) {
                        $this->assertStringContainsString('overwrite', $e->getMessage());
                    }
                    clearstatcache();
                    $this->assertTrue(is_link("$dir/$link"), $link);
                    $this->assertSame("$dir/$to", readlink("$dir/$link"));
                }
            }
            $this->assertFileDoesNotExist("$dir/nowhere.zip");
            // With overwrite the link itself is replaced by the export; what it pointed to is untouched.
            $store->exportTo($id, "$dir/pointing.zip", 'zip', ['overwrite' => true]);
            clearstatcache();
            $this->assertFalse(is_link("$dir/pointing.zip"));
            $this->assertSame('keep me', file_get_contents("$dir/victim.txt"));
            $left = array_values(array_diff(scandir($dir), ['.', '..']));
            $this->assertSame(['dangling.zip', 'pointing.zip', 'victim.txt'], $left, 'nothing else written');
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testAFailingSectionIsReportedAndTheRestExported(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $user = 'dsgvo_ro_' . getmypid();
        $admin = TestDatabase::pdo();
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('part@example.org');
            $shop->addOrder($id, 'part@example.org', 1);
            $store->grantConsent($id, 'newsletter');
            $admin->exec("CREATE USER '$user'@'%' IDENTIFIED BY 'Partial-Pw-1'");
            $admin->exec("CREATE USER '$user'@'localhost' IDENTIFIED BY 'Partial-Pw-1'");
            $db = $shop->db->name;
            foreach ($shop->db->tables() as $table) {
                // orders: visible (INSERT) but not readable, as after a careless privilege change.
                $privileges = $table === 'orders' ? 'INSERT' : 'ALL';
                foreach (['%', 'localhost'] as $host) {
                    $admin->exec("GRANT $privileges ON `$db`.`$table` TO '$user'@'$host'");
                }
            }
            $p = TestDatabase::parts(TestDatabase::baseDsn());
            $limited = new Store(['dsn' => "mysql://$user:Partial-Pw-1@{$p['host']}:{$p['port']}/$db", 'shop' => 'oscommerce', 'secret' => self::SECRET]);
            $doc = json_decode($limited->export($id), true, 64, JSON_THROW_ON_ERROR);
            $sections = array_column($doc['sections'], null, 'id');
            $this->assertStringContainsString('denied', (string) $sections['orders']['error']);
            $this->assertSame([], $sections['orders']['items']);
            $this->assertNull($sections['customers']['error']);
            $this->assertCount(1, $sections['customers']['items']);
            $this->assertCount(1, $sections['dsgvo.consent_events']['items']);
            $log = $store->requestLog(['kind' => 'export', 'limit' => 1])[0];
            $this->assertSame('partial', $log['outcome']);
            $this->assertContains('orders', $log['summary']['incomplete_sections']);
        } finally {
            $admin->exec("DROP USER IF EXISTS '$user'@'%'");
            $admin->exec("DROP USER IF EXISTS '$user'@'localhost'");
            $shop->drop();
        }
    }

    public function testAnOutageAbortsAndLeavesNoFile(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-outage-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $shop->store(['secret' => self::SECRET, 'query_timeout_ms' => 300]);
            $store->migrate();
            $id = $shop->addCustomer('out@example.org');
            $store->logSend($id, 'newsletter');
            $shop->db->pdo->exec('LOCK TABLES dsgvo_send_log WRITE');
            try {
                $store->exportTo($id, "$dir/export.zip");
                $this->fail('expected Dsgvo\DatabaseException');
            } catch (DatabaseException $e) {
                $this->assertStringContainsString('query_timeout_ms', $e->getMessage());
            } finally {
                $shop->db->pdo->exec('UNLOCK TABLES');
            }
            $this->assertSame([], array_values(array_diff(scandir($dir), ['.', '..'])), 'no file, no temporary directory');
            $this->assertSame('failed', $store->requestLog(['limit' => 1])[0]['outcome']);
        } finally {
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testRequestLogHoldsNoPersonalData(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('private.person@example.org', 4711);
            $store->export($id);
            $store->export($id);
            $log = $store->requestLog();
            $this->assertCount(2, $log);
            $this->assertSame(['id', 'kind', 'outcome', 'received_at', 'deadline', 'started_at', 'finished_at', 'in_time', 'overdue', 'summary',
                'subject', 'identity_verified', 'note', 'extended_at', 'extension_reason'], array_keys($log[0]));
            $this->assertNull($log[0]['subject'], 'an export not registered as a request names no one');
            $this->assertSame($log[0]['started_at'], $log[0]['received_at'], 'without received_at: received when answered');
            $this->assertTrue($log[0]['in_time']);
            $this->assertSame('export', $log[0]['kind']);
            $this->assertSame('ok', $log[0]['outcome']);
            $raw = json_encode($shop->db->pdo->query('SELECT * FROM dsgvo_request_log')->fetchAll(PDO::FETCH_ASSOC));
            $this->assertStringNotContainsString('4711', $raw);
            $this->assertStringNotContainsString('private.person', $raw);
            $this->assertSame([], $store->requestLog(['kind' => 'erasure']));
            $this->assertSame([], $store->requestLog(['since' => gmdate('Y-m-d\TH:i:s\Z', time() + 3600)]));
            $this->assertCount(1, $store->requestLog(['limit' => 1]));
            foreach ([['kind' => 'import'], ['limit' => 0], ['since' => 'yesterday'], ['customer' => 1]] as $bad) {
                try {
                    $store->requestLog($bad);
                    $this->fail('accepted ' . json_encode($bad));
                } catch (InvalidInputException $e) {
                    $this->assertNotSame('', $e->getMessage());
                }
            }
        } finally {
            $shop->drop();
        }
    }

    /** Art. 12(3): the answer is due one month after the request arrived; the log shows the deadline. */
    public function testTheRequestLogShowsTheDeadlineOfEachRequest(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-deadline-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('late@example.org');
            $received = gmdate('Y-m-d', time() - 40 * 86400);
            $store->exportTo($id, "$dir/late.zip", 'zip', ['received_at' => $received]);
            $store->exportTo($id, "$dir/soon.json", 'json', ['received_at' => gmdate('Y-m-d', time() - 3 * 86400)]);
            $store->erase($id, ['shop_data' => true, 'received_at' => gmdate('Y-m-d\TH:i:s\Z', time() - 86400)]);
            [$erasure, $soon, $late] = $store->requestLog();
            $this->assertSame($received . 'T00:00:00.000000Z', $late['received_at']);
            $due = new \DateTimeImmutable($received . ' 00:00:00', new \DateTimeZone('UTC'));
            $month = $due->modify('first day of next month');
            $day = min((int) $due->format('d'), (int) $month->format('t'));
            $this->assertSame($month->format('Y-m-') . sprintf('%02d', $day) . 'T23:59:59.999999Z', $late['deadline']);
            $this->assertFalse($late['in_time'], 'answered after 40 days: too late');
            $this->assertTrue($soon['in_time']);
            $this->assertSame('erasure', $erasure['kind']);
            $this->assertTrue($erasure['in_time']);
            $before = count($store->requestLog());
            // null means "not given", as for every other option.
            $this->assertTrue($store->erase($id, ['dry_run' => true, 'received_at' => null])['dry_run']);
            foreach ([gmdate('Y-m-d', time() + 2 * 86400), '1999-12-31', '02.11.2026', 20261102] as $bad) {
                foreach ([fn () => $store->exportTo($id, "$dir/x.zip", 'zip', ['received_at' => $bad]), fn () => $store->erase($id, ['received_at' => $bad])] as $call) {
                    try {
                        $call();
                        $this->fail('accepted received_at ' . json_encode($bad));
                    } catch (InvalidInputException $e) {
                        $this->assertStringContainsString('received_at', $e->getMessage());
                    }
                }
            }
            $this->assertCount($before, $store->requestLog(), 'a refused request is not logged');
            $this->assertFileDoesNotExist("$dir/x.zip");
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testInvalidArgumentsWriteNothing(): void
    {
        $store = new Store(['dsn' => TestDatabase::baseDsn()]);
        $dir = sys_get_temp_dir();
        foreach ([
            [1, "$dir/x.pdf", 'pdf', [], 'format'],
            [1, "$dir/x.zip", 'zip', ['overwrite' => 'yes'], 'overwrite'],
            [1, "$dir/x.zip", 'zip', ['force' => true], "unknown exportTo option 'force'"],
            [1, '', 'zip', [], 'export path'],
            [1, "$dir/no-such-dir-" . getmypid() . '/x.zip', 'zip', [], 'directory does not exist'],
            [1, $dir, 'zip', [], 'is a directory'],
            [0, "$dir/x.zip", 'zip', [], 'customer id'],
        ] as [$id, $path, $format, $options, $message]) {
            try {
                $store->exportTo($id, $path, $format, $options);
                $this->fail("accepted $path");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
            $this->assertFileDoesNotExist("$dir/x.zip");
        }
    }

    public function testOpenBasedirIsRespected(): void
    {
        $allowed = sys_get_temp_dir() . '/dsgvo-basedir-' . getmypid();
        @mkdir($allowed);
        $script = $allowed . '/try.php';
        file_put_contents($script, '<?php
            $s = new Dsgvo\Store(["dsn" => ' . var_export(TestDatabase::baseDsn(), true) . ']);
            try { $s->exportTo(1, "/var/tmp/dsgvo-forbidden-' . getmypid() . '.zip"); echo "written"; }
            catch (Dsgvo\InvalidInputException $e) { echo "refused: ", $e->getMessage(); }');
        try {
            $result = Php::run($script, [], true, 30, ['-d', 'open_basedir=' . $allowed]);
            $this->assertStringStartsWith('refused: ', $result['stdout'], $result['stderr']);
            $this->assertStringContainsString('open_basedir', $result['stdout']);
            $this->assertFileDoesNotExist('/var/tmp/dsgvo-forbidden-' . getmypid() . '.zip');
        } finally {
            unlink($script);
            rmdir($allowed);
        }
    }

    public function testProceduralExport(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            ini_set('dsgvo.dsn', $shop->db->dsn);
            (new Store())->migrate();
            $doc = json_decode(\dsgvo_export(7), true, 64, JSON_THROW_ON_ERROR);
            $this->assertSame(7, $doc['subject']['customer_id']);
        } finally {
            ini_restore('dsgvo.dsn');
            $shop->drop();
        }
    }
}
