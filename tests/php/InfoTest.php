<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/** `php --ri dsgvo` shows the version, the build stamp and every setting, with secrets masked. */
final class InfoTest extends TestCase
{
    private const SECRET = '69551debe3c19f35e0db247166f7815887dba421b528527b4231c40d42b36c5f';

    private function ri(array $ini): string
    {
        $cmd = [PHP_BINARY, '-d', 'extension=' . Php::extensionPath()];
        foreach ($ini as $name => $value) {
            array_push($cmd, '-d', $name . '="' . $value . '"');
        }
        array_push($cmd, '--ri', 'dsgvo');
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $this->assertSame(0, proc_close($proc), $err);
        $this->assertSame('', $err);
        return (string) $out;
    }

    public function testShowsVersionBuildAndEverySetting(): void
    {
        $out = $this->ri([
            'dsgvo.dsn' => 'mysql://shop:TopSecretPw@db.local:3307/shop?prefer_socket=false',
            'dsgvo.secret' => self::SECRET,
            'dsgvo.table_prefix' => 'gdpr_',
        ]);
        $version = (new \ReflectionExtension('dsgvo'))->getVersion();
        $this->assertMatchesRegularExpression('/^version => ' . preg_quote($version, '/') . '$/m', $out);
        $this->assertMatchesRegularExpression('/^build => \S+ \(git \S+, (release|debug), rustc [^,]+, [^)]+\)$/m', $out);
        foreach (['dsn', 'table_prefix', 'shop', 'shop_table_prefix', 'secret', 'query_timeout_ms', 'connect_timeout_ms', 'consent_token_ttl_days', 'truncate_ip', 'existing_customer_max_age_days', 'previous_secrets', 'retention_send_log_days',
            'retention_archive_days', 'retention_pending_consent_days', 'erase_strategies', 'recommend_min_customers', 'excluded_order_statuses', 'read_your_writes'] as $name) {
            $this->assertMatchesRegularExpression('/^dsgvo\.' . $name . ' => /m', $out, $name);
        }
        $this->assertStringContainsString('dsgvo.table_prefix => gdpr_ => gdpr_', $out);
        $this->assertStringContainsString('mysql://shop:***@db.local:3307/shop?prefer_socket=false', $out);
        $this->assertStringContainsString('dsgvo.secret => (set, 64 bytes)', $out);
        $this->assertStringNotContainsString('TopSecretPw', $out);
        $this->assertStringNotContainsString(self::SECRET, $out);
    }

    /** @return array<string, array{0: string, 1: string}> DSN, what is shown */
    public static function passwordsWithDelimiters(): array
    {
        return [
            'slash' => ['mysql://shop:Top/Secret1@db.local:3307/shop', 'mysql://shop:***@db.local:3307/shop'],
            'question mark' => ['mysql://shop:Top?Secret1@db.local:3307/shop', 'mysql://shop:***@db.local:3307/shop'],
            'hash' => ['mysql://shop:Top#Secret1@db.local:3307/shop', 'mysql://shop:***@db.local:3307/shop'],
            'at sign' => ['mysql://shop:Top@Secret1@db.local:3307/shop', 'mysql://shop:***@db.local:3307/shop'],
            'all of them' => ['mysql://shop:T/o?p#S@ecret1@db.local:3307/shop?prefer_socket=false', 'mysql://shop:***@db.local:3307/shop?prefer_socket=false'],
        ];
    }

    /** @dataProvider passwordsWithDelimiters */
    #[DataProvider('passwordsWithDelimiters')]
    public function testTheDsnPasswordIsMaskedWhateverItHolds(string $dsn, string $shown): void
    {
        $out = $this->ri(['dsgvo.dsn' => $dsn]);
        $this->assertStringContainsString("dsgvo.dsn => $shown => $shown", $out);
        foreach (['Secret1', 'ecret1', 'Top'] as $part) {
            $this->assertStringNotContainsString($part, $out);
        }
        $proc = proc_open([PHP_BINARY, '-d', 'extension=' . Php::extensionPath(), '-d', 'dsgvo.dsn="' . $dsn . '"', '-r', 'phpinfo(INFO_MODULES);'],
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $info = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        proc_close($proc);
        $this->assertStringContainsString($shown, $info);
        $this->assertStringNotContainsString('Secret1', $info);
    }

    public function testLoadingTheExtensionPrintsNothing(): void
    {
        $proc = proc_open(
            [PHP_BINARY, '-n', '-d', 'extension=' . Php::extensionPath(), '-d', 'display_startup_errors=1', '-d', 'error_reporting=-1', '-r', 'echo extension_loaded("dsgvo") ? "ok" : "missing";'],
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes
        );
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $this->assertSame(0, proc_close($proc));
        $this->assertSame('ok', $out);
        $this->assertSame('', $err);
    }
}
