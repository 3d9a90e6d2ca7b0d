<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PDO;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** bin/dsgvo: help texts, exit codes, and each command against a real shop database. */
final class CliTest extends TestCase
{
    private const SECRET = '49ae63cec7f6dccf84c909cf18fccb64822fd351589ed60cbdb2ae88888027a7';
    private const COMMANDS = ['export', 'erase', 'purge', 'verify-ledger', 'import-consents', 'import-opt-outs', 'requests', 'request', 'tags'];

    /** @var string */
    private $secretFile;

    protected function setUp(): void
    {
        $this->secretFile = tempnam(sys_get_temp_dir(), 'dsgvo-cli-secret');
        file_put_contents($this->secretFile, self::SECRET . "\n");
    }

    protected function tearDown(): void
    {
        @unlink($this->secretFile);
    }

    /**
     * @param list<string> $args
     * @param list<string> $phpArgs
     * @return array{exit: int, stdout: string, stderr: string, timed_out: bool}
     */
    private function dsgvo(array $args, array $phpArgs = [], float $timeout = 120): array
    {
        [$proc, $pipes] = Php::start(dirname(__DIR__, 2) . '/bin/dsgvo', $args, true, $phpArgs);
        $result = Php::finish($proc, $pipes, $timeout);
        $this->assertFalse($result['timed_out'], 'bin/dsgvo ' . implode(' ', $args) . ' timed out');
        return $result;
    }

    /** @return list<string> */
    private function on(Shop $shop): array
    {
        return ["--dsn={$shop->db->dsn}", "--shop={$shop->preset}", "--shop-table-prefix={$shop->prefix}", "--secret-file={$this->secretFile}"];
    }

    public function testHelpIsCompleteForEveryCommand(): void
    {
        $overview = $this->dsgvo(['--help']);
        $this->assertSame(0, $overview['exit']);
        foreach (self::COMMANDS as $command) {
            $this->assertMatchesRegularExpression("/^  $command +\\S/m", $overview['stdout'], "$command is listed");
            $help = $this->dsgvo([$command, '--help']);
            $this->assertSame(0, $help['exit'], $help['stderr']);
            $this->assertSame($help['stdout'], $this->dsgvo(['help', $command])['stdout']);
            $text = $help['stdout'];
            $this->assertStringStartsWith("Usage: dsgvo $command", $text);
            $this->assertStringContainsString('Exit codes: 0 done, 1 failed', $text);
            // Every option of the usage line is explained, and every explained option works with --help.
            preg_match('/^Usage: (.*)$/m', $text, $usage);
            preg_match_all('/--([a-z-]+)/', $usage[1], $named);
            foreach ($named[1] as $option) {
                $this->assertMatchesRegularExpression("/^  --$option(=\\S+)? +\\S/m", $text, "--$option of $command is explained");
            }
            foreach (['dsn', 'shop', 'shop-table-prefix', 'table-prefix', 'secret-file', 'json', 'help'] as $global) {
                $this->assertMatchesRegularExpression("/^  --$global(=\\S+)? +\\S/m", $text);
            }
            $this->assertStringNotContainsString(self::SECRET, $text);
        }
        $none = $this->dsgvo([]);
        $this->assertSame(2, $none['exit']);
        $this->assertStringContainsString('Usage: dsgvo <command>', $none['stderr']);
    }

    public function testUsageErrorsExitTwoAndDoNothing(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $shop->store()->migrate();
            $id = $shop->addCustomer('kept@example.org');
            $cases = [
                [['frobnicate'], "unknown command 'frobnicate'"],
                [['purge', '--frob'], 'unknown option --frob'],
                [['export', (string) $id], '--output=FILE is required'],
                [['export', '--output'], 'needs a value'],
                [['erase', (string) $id], 'run with --dry-run first, then with --yes'],
                [['erase', (string) $id, '--dry-run', '--yes'], 'exclude each other'],
                [['erase', 'nobody@example.org', '--yes'], 'no shop account has the address'],
                [['erase', 'kept', '--yes'], 'id or an email address'],
                [['purge', '--batch=0'], '--batch must be a positive whole number'],
                [['requests', '--kind=import'], 'kind'],
                [['export', (string) $id, '--output=/tmp/x.zip', '--format=rar'], "format must be 'zip' or 'json'"],
            ];
            foreach ($cases as [$args, $message]) {
                $result = $this->dsgvo(array_merge($args, $this->on($shop)));
                $this->assertSame(2, $result['exit'], implode(' ', $args) . ': ' . $result['stderr']);
                $this->assertStringContainsString($message, $result['stderr'], implode(' ', $args));
                $this->assertSame('', $result['stdout']);
            }
            $this->assertSame([['customer_id' => $id, 'email' => 'kept@example.org', 'firstname' => 'Erika', 'lastname' => 'Mustermann']],
                $shop->store()->findCustomers((string) $id));
            $this->assertSame([], $shop->store()->requestLog());
            $this->assertFileDoesNotExist('/tmp/x.zip');
        } finally {
            $shop->drop();
        }
    }

    public function testExportEraseRequestsAndTheLedger(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-cli-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('Cli.Kunde@example.org');
            $store->grantConsent($id, 'newsletter', ['source' => 'checkout']);
            $store->logSend($id, 'newsletter');

            $export = $this->dsgvo(array_merge(['export', 'cli.kunde@example.org', "--output=$dir/k.zip", '--received-at=' . gmdate('Y-m-d', time() - 86400)], $this->on($shop)));
            $this->assertSame(0, $export['exit'], $export['stderr']);
            $this->assertStringContainsString("Exported customer $id to $dir/k.zip", $export['stdout']);
            $this->assertFileExists("$dir/k.zip");
            $this->assertSame('0600', sprintf('%04o', fileperms("$dir/k.zip") & 0777), 'the export is readable by its owner only');
            $again = $this->dsgvo(array_merge(['export', (string) $id, "--output=$dir/k.zip"], $this->on($shop)));
            $this->assertSame(2, $again['exit'], 'an existing file is kept without --overwrite');
            $json = $this->dsgvo(array_merge(['export', (string) $id, "--output=$dir/k.json", '--format=json', '--json'], $this->on($shop)));
            $this->assertSame('json', json_decode($json['stdout'], true, 16, JSON_THROW_ON_ERROR)['file_format']);

            $preview = $this->dsgvo(array_merge(['erase', (string) $id, '--dry-run', '--shop-data'], $this->on($shop)));
            $this->assertSame(0, $preview['exit'], $preview['stderr']);
            $this->assertStringContainsString('Dry run, nothing changed', $preview['stdout']);
            $this->assertStringContainsString('customers 1', $preview['stdout']);
            $this->assertCount(1, $store->findCustomers((string) $id));
            $erase = $this->dsgvo(array_merge(['erase', (string) $id, '--yes', '--shop-data', '--json'], $this->on($shop)));
            $this->assertSame(0, $erase['exit'], $erase['stderr']);
            $this->assertSame(1, json_decode($erase['stdout'], true, 16, JSON_THROW_ON_ERROR)['removed']['customers']);
            $this->assertSame([], $store->findCustomers((string) $id));

            $requests = $this->dsgvo(array_merge(['requests'], $this->on($shop)));
            $this->assertSame(0, $requests['exit'], $requests['stderr']);
            $this->assertMatchesRegularExpression('/^id +kind +outcome +received_at +deadline +answered +in time$/m', $requests['stdout']);
            $this->assertSame(3, preg_match_all('/^\d+ +(export|erasure) +ok /m', $requests['stdout']));
            $this->assertStringNotContainsString('cli.kunde', strtolower($requests['stdout']));
            $late = $this->dsgvo(array_merge(['requests', '--late'], $this->on($shop)));
            $this->assertSame([0, "No requests.\n"], [$late['exit'], $late['stdout']]);

            $verify = $this->dsgvo(array_merge(['verify-ledger'], $this->on($shop)));
            $this->assertSame([0, "Ledger intact: 1 events verified\n"], [$verify['exit'], $verify['stdout']]);
            $shop->db->pdo->exec("UPDATE dsgvo_consent_events SET purpose = 'birthday' WHERE id = 1");
            $broken = $this->dsgvo(array_merge(['verify-ledger'], $this->on($shop)));
            $this->assertSame(1, $broken['exit']);
            $this->assertStringContainsString('Ledger BROKEN at event 1', $broken['stderr']);

            $outage = $this->dsgvo(['verify-ledger', '--dsn=mysql://root@127.0.0.1:1/nothing']);
            $this->assertSame(1, $outage['exit'], 'an unreachable database is a failure, not a usage error');
            $this->assertStringContainsString('127.0.0.1:1', $outage['stderr']);
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testARequestFromArrivalToAnswer(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        $dir = sys_get_temp_dir() . '/dsgvo-cli-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $id = $shop->addCustomer('anfrage@example.org');
            $run = function (array $args) use ($shop): array {
                return $this->dsgvo(array_merge($args, $this->on($shop)));
            };
            $add = $run(['request', 'add', 'access', (string) $id, '--received-at=' . gmdate('Y-m-d', time() - 40 * 86400), '--identity-verified', '--json']);
            $this->assertSame(0, $add['exit'], $add['stderr']);
            $access = json_decode($add['stdout'], true, 16, JSON_THROW_ON_ERROR);
            $this->assertSame([$id, true, true], [$access['subject'], $access['identity_verified'], $access['overdue']]);
            $add = $run(['request', 'add', 'erasure', 'Wer@Example.org', '--note=Ticket 17', '--json']);
            $this->assertSame(0, $add['exit'], $add['stderr']);
            $erasure = json_decode($add['stdout'], true, 16, JSON_THROW_ON_ERROR)['id'];

            $open = $run(['requests', '--open']);
            $this->assertSame(1, $open['exit'], 'an overdue request fails the check: ' . $open['stderr']);
            $this->assertMatchesRegularExpression('/^id +kind +subject +received_at +deadline +days left +state$/m', $open['stdout']);
            $this->assertMatchesRegularExpression("/^{$access['id']} +access +$id .* -\d+ +OVERDUE$/m", $open['stdout']);
            $this->assertMatchesRegularExpression("/^$erasure +erasure +wer@example.org .* (2[89]|3[01]) +open$/m", $open['stdout']);

            $extend = $run(['request', 'extend', (string) $erasure, '--reason=Many requests at once']);
            $this->assertSame(0, $extend['exit'], $extend['stderr']);
            $this->assertStringContainsString('Many requests at once', $extend['stdout']);
            $late = $run(['request', 'extend', (string) $access['id'], '--reason=Too late']);
            $this->assertSame(2, $late['exit']);
            $this->assertStringContainsString('past its deadline', $late['stderr']);

            $export = $run(['export', (string) $id, "--output=$dir/a.zip", "--request={$access['id']}"]);
            $this->assertSame(0, $export['exit'], $export['stderr']);
            $close = $run(['request', 'close', (string) $erasure, '--refused']);
            $this->assertSame(0, $close['exit'], $close['stderr']);
            $this->assertMatchesRegularExpression('/outcome +refused/', $close['stdout']);
            $this->assertSame([0, "No open requests.\n"], [$run(['requests', '--open'])['exit'], $run(['requests', '--open'])['stdout']]);
            $log = $run(['requests']);
            $this->assertMatchesRegularExpression("/^{$access['id']} +access +ok .* no$/m", $log['stdout'], 'answered, but late');
            $this->assertStringNotContainsString('wer@example.org', $log['stdout'], 'answered requests name no one');
            foreach ([
                [['request'], 'give add, extend or close'],
                [['request', 'add', 'access'], 'takes a kind and a customer'],
                [['request', 'extend', '5'], '--reason=TEXT is required'],
                [['request', 'close', 'x'], 'request id must be a positive whole number'],
                [['request', 'close', '99999'], 'no registered request'],
                [['request', 'add', 'gossip', '5'], 'request kind'],
            ] as [$args, $message]) {
                $result = $run($args);
                $this->assertSame(2, $result['exit'], implode(' ', $args) . ': ' . $result['stderr']);
                $this->assertStringContainsString($message, $result['stderr']);
            }
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
            $shop->drop();
        }
    }

    public function testTagsApplyReportsEachRuleAndDryRunChangesNothing(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $store = $shop->store();
            $store->migrate();
            $a = $shop->addCustomer('a@example.org');
            $b = $shop->addCustomer('b@example.org');
            $shop->addOrder($a, 'a@example.org', 2);
            $shop->addOrder($a, 'a@example.org', 400);
            $shop->addOrder($b, 'b@example.org', 400);
            $store->defineTagRule('frequent', 'loyal', ['min_orders' => 2]);
            $store->defineTagRule('recent', 'recent', ['ordered_within_days' => 30]);
            $store->defineTagRule('lapsed', 'winback', ['no_order_for_days' => 180]);

            $dry = $this->dsgvo(array_merge(['tags', 'apply', '--dry-run'], $this->on($shop)));
            $this->assertSame(0, $dry['exit'], $dry['stderr']);
            $this->assertStringContainsString('frequent (tag loyal): 1 added, 0 removed, 1 matching (dry run, nothing changed)', $dry['stdout']);
            $this->assertSame(0, (int) $shop->db->pdo->query('SELECT COUNT(*) FROM dsgvo_tags')->fetchColumn());

            $run = $this->dsgvo(array_merge(['tags', 'apply'], $this->on($shop)));
            $this->assertSame(0, $run['exit'], $run['stderr']);
            $this->assertSame([
                'frequent (tag loyal): 1 added, 0 removed, 1 matching',
                'lapsed (tag winback): 1 added, 0 removed, 1 matching',
                'recent (tag recent): 1 added, 0 removed, 1 matching',
            ], explode("\n", trim($run['stdout'])));
            $lines = explode("\n", trim($run['stderr']));
            $this->assertSame('tags: 0 of 3 rules (0%)', substr($lines[0], 0, strlen('tags: 0 of 3 rules (0%)')));
            $this->assertMatchesRegularExpression('/^tags: 3 of 3 rules \(100%\), [\d.]+ s$/', end($lines));
            $this->assertSame(['loyal', 'recent'], array_column($store->tags($a), 'name'));
            $this->assertSame(['winback'], array_column($store->tags($b), 'name'));

            $one = $this->dsgvo(array_merge(['tags', 'apply', '--rule=recent', '--json'], $this->on($shop)));
            $this->assertSame(0, $one['exit'], $one['stderr']);
            $this->assertSame(['recent' => ['tag' => 'recent', 'added' => 0, 'removed' => 0, 'matching' => 1]], json_decode($one['stdout'], true));

            $list = $this->dsgvo(array_merge(['tags', 'list', '--json'], $this->on($shop)));
            $this->assertSame(0, $list['exit'], $list['stderr']);
            $this->assertSame(['frequent', 'lapsed', 'recent'], array_column(json_decode($list['stdout'], true), 'rule'));

            $unknown = $this->dsgvo(array_merge(['tags', 'apply', '--rule=nope'], $this->on($shop)));
            $this->assertSame(2, $unknown['exit']);
            $this->assertStringContainsString('no tag rule named nope is defined; defined: frequent, lapsed, recent', $unknown['stderr']);
        } finally {
            $shop->drop();
        }
    }

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::kinds();
    }

    /** import-opt-outs: MailBeez's block list becomes objections once; bad options exit 2 and write nothing. */
    public function testImportOptOutsFromMailBeez(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            ShopSchemas::loadMailBeez($shop->db->pdo, '', false);
            $store = $shop->store(['secret' => self::SECRET]);
            $store->migrate();
            $store->defineEmailType('winback', 'consent');
            $pdo = $shop->db->pdo;
            $block = $pdo->prepare("INSERT INTO mailbeez_block (module, customers_id, date_block, simulation) VALUES (?, ?, '2024-01-02 03:04:05', ?)");
            foreach ([['winback', $shop->addCustomer('a@example.org'), 0], ['birthday', $shop->addCustomer('b@example.org'), 0], ['winback', $shop->addCustomer('c@example.org'), 1]] as $row) {
                $block->execute($row);
            }
            $optOuts = function () use ($pdo): int {
                return (int) $pdo->query('SELECT COUNT(*) FROM dsgvo_opt_outs')->fetchColumn();
            };
            foreach ([[], ['--source=klaviyo'], ['--source=mailbeez', '--type-map=birthday'], ['--source=mailbeez', '--type-map=birthday=Not A Type'], ['--source=mailbeez', 'extra']] as $bad) {
                $result = $this->dsgvo(array_merge(['import-opt-outs'], $bad, $this->on($shop)));
                $this->assertSame(2, $result['exit'], implode(' ', $bad) . ': ' . $result['stderr']);
                $this->assertStringStartsWith('dsgvo import-opt-outs: ', $result['stderr']);
            }
            $this->assertSame(0, $optOuts());

            $dry = $this->dsgvo(array_merge(['import-opt-outs', '--source=mailbeez', '--dry-run'], $this->on($shop)));
            $this->assertSame(0, $dry['exit'], $dry['stderr']);
            $this->assertStringContainsString('Dry run, nothing written.', $dry['stdout']);
            $this->assertSame(0, $optOuts());

            $run = $this->dsgvo(array_merge(['import-opt-outs', '--source=mailbeez', '--type-map=birthday=winback', '--json'], $this->on($shop)));
            $this->assertSame(0, $run['exit'], $run['stderr']);
            $summary = json_decode($run['stdout'], true, 16, JSON_THROW_ON_ERROR);
            $this->assertSame([3, 2, 1, ['winback' => 2]], [$summary['entries'], $summary['imported'], $summary['skipped_simulation'], $summary['by_type']]);
            $this->assertSame(2, $optOuts());

            $again = $this->dsgvo(array_merge(['import-opt-outs', '--source=mailbeez', '--type-map=birthday=winback'], $this->on($shop)));
            $this->assertSame(0, $again['exit'], $again['stderr']);
            $this->assertMatchesRegularExpression('/imported as objections +0$/m', $again['stdout']);
            $this->assertMatchesRegularExpression('/imported by an earlier run, left alone +2$/m', $again['stdout']);
            $this->assertSame(2, $optOuts());
        } finally {
            $shop->drop();
        }
    }

    /**
     * Acceptance of import-consents: on every shop schema, one grant per subscribed customer (a request and its
     * confirmation per confirmed double opt-in where the shop kept the confirmation); a re-run adds nothing.
     *
     * @dataProvider shops
     */
    #[DataProvider('shops')]
    public function testImportConsentsOnceOnEveryShop(string $fixture, string $preset, string $prefix): void
    {
        if ($fixture !== 'minimal' && ShopSchemas::directory() === null) {
            $this->markTestSkipped(ShopSchemas::skipReason());
        }
        $shop = Shop::create($fixture, $preset, $prefix);
        try {
            $shop->store()->migrate();
            $pdo = $shop->db->pdo;
            $subscribed = [];
            for ($i = 1; $i <= 6; $i++) {
                $id = $shop->addCustomer("sub$i@example.org");
                $flag = $i <= 4 ? '1' : '0';
                $pdo->prepare("UPDATE {$shop->table('customers')} SET customers_newsletter = ? WHERE customers_id = ?")->execute([$flag, $id]);
                if ($flag === '1') {
                    $subscribed[] = $id;
                }
            }
            $list = $pdo->query("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{$prefix}newsletter_recipients'")->fetchAll(PDO::FETCH_COLUMN);
            $confirmations = 0;
            if ($list !== []) {
                $doi = $shop->addCustomer('doi@example.org');
                $row = ['customers_email_address' => 'doi@example.org', 'customers_id' => $doi, 'mail_status' => 1, 'date_added' => '2022-02-02 10:00:00'];
                if (in_array('date_confirmed', $list, true)) {
                    $row += ['date_confirmed' => '2022-02-02 10:10:00', 'ip_date_confirmed' => '192.0.2.44'];
                    $confirmations = 1;
                }
                $pdo->prepare("INSERT INTO {$shop->table('newsletter_recipients')} (" . implode(', ', array_keys($row)) . ') VALUES (' . implode(', ', array_fill(0, count($row), '?')) . ')')
                    ->execute(array_values($row));
                $subscribed[] = $doi;
            }
            $counts = function () use ($pdo): array {
                return array_map('intval', $pdo->query("SELECT action, COUNT(*) FROM dsgvo_consent_events GROUP BY action")->fetchAll(PDO::FETCH_KEY_PAIR));
            };

            $dry = $this->dsgvo(array_merge(['import-consents', '--dry-run'], $this->on($shop)));
            $this->assertSame(0, $dry['exit'], $dry['stderr']);
            $this->assertStringContainsString('Dry run, nothing written.', $dry['stdout']);
            $this->assertSame([], $counts());

            $run = $this->dsgvo(array_merge(['import-consents', '--json'], $this->on($shop)));
            $this->assertSame(0, $run['exit'], $run['stderr']);
            $summary = json_decode($run['stdout'], true, 16, JSON_THROW_ON_ERROR);
            $this->assertSame(count($subscribed), $summary['subscribed']);
            $expected = ['granted' => count($subscribed) - $confirmations] + ($confirmations ? ['requested' => 1, 'confirmed' => 1] : []);
            ksort($expected);
            $actual = $counts();
            ksort($actual);
            $this->assertSame($expected, $actual, 'one grant per subscriber, a request and its confirmation per confirmed double opt-in');
            $this->assertSame($subscribed, array_map('intval', $pdo->query('SELECT DISTINCT customer_id FROM dsgvo_consent_events ORDER BY customer_id')->fetchAll(PDO::FETCH_COLUMN)));

            $again = $this->dsgvo(array_merge(['import-consents'], $this->on($shop)));
            $this->assertSame(0, $again['exit'], $again['stderr']);
            $this->assertMatchesRegularExpression('/granted \(one grant each\) +0$/m', $again['stdout']);
            $this->assertMatchesRegularExpression('/already in the ledger, left alone +' . count($subscribed) . '$/m', $again['stdout']);
            $this->assertSame($actual, array_intersect_key($counts(), $actual) + $counts(), 'a re-run creates no event');
            $this->assertSame(array_sum($actual), array_sum($counts()));
        } finally {
            $shop->drop();
        }
    }

    /** An erased customer's order waits for the end of its legal period; purge --erasures finishes it then. */
    public function testPurgeErasuresFinishesRetainedOrders(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $shop->store(['secret' => self::SECRET])->migrate();
            $id = $shop->addCustomer('frida@example.org');
            $order = $shop->addOrderWith($id, 'frida@example.org', [4], 400);
            $erase = $this->dsgvo(array_merge(['erase', (string) $id, '--yes', '--shop-data'], $this->on($shop)));
            $this->assertSame(0, $erase['exit'], $erase['stderr']);
            $until = ((int) $shop->db->pdo->query("SELECT YEAR(date_purchased) FROM orders WHERE orders_id = $order")->fetchColumn() + 8) . '-12-31';
            $this->assertStringContainsString("retained: orders 1 (kept for tax law: booking voucher, § 147 Abs. 1 Nr. 4 AO (8 years), until $until)", $erase['stdout']);

            $shop->db->pdo->exec("UPDATE orders SET date_purchased = date_purchased - INTERVAL 9 YEAR WHERE orders_id = $order");
            $dry = $this->dsgvo(array_merge(['purge', '--erasures', '--dry-run'], $this->on($shop)));
            $this->assertSame(0, $dry['exit'], $dry['stderr']);
            $this->assertStringContainsString('Due for purging: 2 rows (nothing changed)', $dry['stdout'], 'the order and its product');
            $run = $this->dsgvo(array_merge(['purge', '--erasures', '--json'], $this->on($shop)));
            $this->assertSame(0, $run['exit'], $run['stderr']);
            $done = json_decode($run['stdout'], true, 16, JSON_THROW_ON_ERROR);
            $this->assertSame([1, 1, 1, 0], [$done['orders'], $done['orders_products'], $done['erasures_completed'], $done['erasures_pending']]);
            $this->assertSame(0, (int) $shop->db->pdo->query('SELECT COUNT(*) FROM orders')->fetchColumn());
        } finally {
            $shop->drop();
        }
    }

    /** Acceptance: purge over a million rows shows its progress (plain lines into a pipe) and finishes. */
    public function testPurgeOfAMillionRowsShowsProgress(): void
    {
        $db = TestDatabase::create('cli_purge');
        try {
            $store = new \Dsgvo\Store(['dsn' => $db->dsn]);
            $store->migrate();
            $db->pdo->exec("INSERT INTO dsgvo_send_log (customer_id, type, email, sent_at)
                SELECT 1 + seq % 50000, 'newsletter', CONCAT('c', seq % 50000, '@example.org'), UTC_TIMESTAMP(6) - INTERVAL (31 + seq % 1000) DAY
                FROM seq_1_to_1000000");
            $db->pdo->exec("INSERT INTO dsgvo_send_log (customer_id, type, sent_at) VALUES (1, 'newsletter', UTC_TIMESTAMP(6))");
            $ini = ['-d', 'dsgvo.retention_send_log_days=30'];

            $dry = $this->dsgvo(['purge', '--dry-run', "--dsn={$db->dsn}"], $ini);
            $this->assertSame(0, $dry['exit'], $dry['stderr']);
            $this->assertStringContainsString('Due for purging: 1000000 rows (nothing changed)', $dry['stdout']);

            $run = $this->dsgvo(['purge', "--dsn={$db->dsn}", '--batch=100000'], $ini, 300);
            $this->assertSame(0, $run['exit'], $run['stderr']);
            $lines = array_values(array_filter(explode("\n", $run['stderr'])));
            $this->assertGreaterThanOrEqual(3, count($lines), "progress while it runs:\n" . $run['stderr']);
            $this->assertStringStartsWith('purge: 0 of 1000000 rows (0%)', $lines[0]);
            $this->assertMatchesRegularExpression('/^purge: 1000000 of 1000000 rows \(100%\), [\d.]+ s$/', end($lines));
            $this->assertStringNotContainsString("\r", $run['stderr'], 'no bar into a pipe');
            $this->assertStringContainsString('Purged 1000000 rows', $run['stdout']);
            $this->assertSame(1, (int) $db->pdo->query('SELECT COUNT(*) FROM dsgvo_send_log')->fetchColumn(), 'the recent send stays');
        } finally {
            $db->drop();
        }
    }

    /** On a terminal the progress is a bar redrawn in place (checked through script(1), which gives it a tty). */
    public function testPurgeDrawsABarOnATerminal(): void
    {
        if (!is_executable('/usr/bin/script')) {
            $this->markTestSkipped('script(1) from util-linux is not installed: cannot give the command a terminal');
        }
        $db = TestDatabase::create('cli_tty');
        try {
            (new \Dsgvo\Store(['dsn' => $db->dsn]))->migrate();
            $db->pdo->exec("INSERT INTO dsgvo_send_log (customer_id, type, sent_at) SELECT seq, 'newsletter', UTC_TIMESTAMP(6) - INTERVAL 40 DAY FROM seq_1_to_3000");
            $cmd = sprintf('%s -d extension=%s -d dsgvo.retention_send_log_days=30 %s purge --dsn=%s --batch=1000',
                escapeshellarg(PHP_BINARY), escapeshellarg(Php::extensionPath()), escapeshellarg(dirname(__DIR__, 2) . '/bin/dsgvo'), escapeshellarg($db->dsn));
            $out = (string) shell_exec('/usr/bin/script -qec ' . escapeshellarg($cmd) . ' /dev/null');
            $this->assertMatchesRegularExpression('/\rpurge \[#{30}\] 100% 3,000\/3,000 rows/', $out);
            $this->assertGreaterThanOrEqual(3, substr_count($out, "\rpurge ["), 'redrawn after each step');
            $this->assertSame(0, (int) $db->pdo->query('SELECT COUNT(*) FROM dsgvo_send_log')->fetchColumn());
        } finally {
            $db->drop();
        }
    }
}
