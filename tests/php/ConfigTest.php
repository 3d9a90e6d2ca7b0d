<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/**
 * Settings and constructor options: invalid ones raise ConfigException naming the option, before any
 * connection is attempted.
 */
final class ConfigTest extends TestCase
{
    /** @var resource a listening socket nobody accepts on: a connect to it would be visible */
    private $silent;
    /** @var string */
    private $silentDsn;

    protected function setUp(): void
    {
        $this->silent = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        $this->assertIsResource($this->silent, $errstr);
        $port = (int) substr(strrchr((string) stream_socket_get_name($this->silent, false), ':'), 1);
        $this->silentDsn = "mysql://shop:pw-not-shown@127.0.0.1:{$port}/shop";
    }

    protected function tearDown(): void
    {
        fclose($this->silent);
        foreach (['dsgvo.dsn', 'dsgvo.table_prefix', 'dsgvo.shop', 'dsgvo.secret'] as $name) {
            ini_restore($name);
        }
    }

    private function assertNobodyConnected(): void
    {
        $this->assertFalse(@stream_socket_accept($this->silent, 0), 'the constructor must not connect');
    }

    /** @return array<string, array{0: array<string, mixed>, 1: string}> */
    public function invalidOptions(): array
    {
        return [
            'dsn not a mysql url' => [['dsn' => 'pgsql://u:p@h/db'], "option 'dsn'"],
            'dsn no url at all' => [['dsn' => 'localhost'], "option 'dsn'"],
            'dsn without database' => [['dsn' => 'mysql://root@127.0.0.1:3306'], "option 'dsn'"],
            'dsn unknown parameter' => [['dsn' => 'mysql://root@127.0.0.1/db?pool_size=3'], "option 'dsn'"],
            'dsn not a string' => [['dsn' => 42], "option 'dsn'"],
            'prefix with sql' => [['table_prefix' => 'x; DROP TABLE y'], "option 'table_prefix'"],
            'prefix with backtick' => [['table_prefix' => 'a`b'], "option 'table_prefix'"],
            'prefix too long' => [['table_prefix' => str_repeat('p', 33)], "option 'table_prefix'"],
            'prefix empty' => [['table_prefix' => ''], "option 'table_prefix'"],
            'shop prefix with dash' => [['shop_table_prefix' => 'zen-'], "option 'shop_table_prefix'"],
            'secret too short' => [['secret' => str_repeat('s', 31)], "option 'secret'"],
            'unknown shop' => [['shop' => 'magento'], "option 'shop'"],
            'unknown key' => [['table_prefx' => 'x_'], "unknown option 'table_prefx'"],
            'list instead of map' => [['dsgvo_'], "unknown option '0'"],
            'timeout zero' => [['query_timeout_ms' => 0], "option 'query_timeout_ms'"],
            'timeout not a number' => [['connect_timeout_ms' => 'soon'], "option 'connect_timeout_ms'"],
            'timeout array' => [['connect_timeout_ms' => [1]], "option 'connect_timeout_ms'"],
            'token ttl zero' => [['consent_token_ttl_days' => 0], "option 'consent_token_ttl_days'"],
            'truncate_ip not a switch' => [['truncate_ip' => 'sometimes'], "option 'truncate_ip'"],
            'max age zero' => [['existing_customer_max_age_days' => 0], "option 'existing_customer_max_age_days'"],
            'previous secret too short' => [['previous_secrets' => 'short-old-secret'], "option 'previous_secrets'"],
            'retention negative' => [['retention_send_log_days' => -1], "option 'retention_send_log_days'"],
            'strategy for unknown table' => [['shop' => 'oscommerce', 'erase_strategies' => ['ordres' => 'delete']], "option 'erase_strategies'"],
            'strategy unknown' => [['shop' => 'oscommerce', 'erase_strategies' => 'orders=burn'], "option 'erase_strategies'"],
            'k below 2' => [['recommend_min_customers' => 1], "option 'recommend_min_customers'"],
            'k not a number' => [['recommend_min_customers' => 'five'], "option 'recommend_min_customers'"],
        ];
    }

    /**
     * @dataProvider invalidOptions
     * @param array<string, mixed> $options
     */
    public function testInvalidOptionsRaiseConfigExceptionNamingTheOption(array $options, string $named): void
    {
        $options += ['dsn' => $this->silentDsn];
        try {
            new Store($options);
            $this->fail('expected Dsgvo\ConfigException');
        } catch (ConfigException $e) {
            $this->assertStringContainsString($named, $e->getMessage());
            $this->assertStringNotContainsString('pw-not-shown', $e->getMessage());
        }
        $this->assertNobodyConnected();
    }

    public function testSecretIsNeverEchoed(): void
    {
        try {
            new Store(['dsn' => $this->silentDsn, 'secret' => 'my-short-secret']);
            $this->fail('expected Dsgvo\ConfigException');
        } catch (ConfigException $e) {
            $this->assertStringNotContainsString('my-short-secret', $e->getMessage());
            $this->assertStringContainsString('32 bytes', $e->getMessage());
        }
    }

    public function testValidOptionsConstructWithoutConnecting(): void
    {
        $store = new Store([
            'dsn' => $this->silentDsn,
            'table_prefix' => 'gdpr_',
            'shop' => 'zencart',
            'shop_table_prefix' => 'zen_',
            'secret' => str_repeat('k', 32),
            'query_timeout_ms' => '1500',
            'connect_timeout_ms' => 500,
        ]);
        $this->assertInstanceOf(Store::class, $store);
        $this->assertNobodyConnected();
    }

    public function testIniSettingsAreUsedAndOptionsOverrideThem(): void
    {
        ini_set('dsgvo.dsn', $this->silentDsn);
        ini_set('dsgvo.table_prefix', 'x; DROP TABLE y');
        try {
            new Store();
            $this->fail('expected Dsgvo\ConfigException');
        } catch (ConfigException $e) {
            $this->assertStringContainsString('dsgvo.table_prefix', $e->getMessage());
        }
        // The option wins over the broken ini value.
        $this->assertInstanceOf(Store::class, new Store(['table_prefix' => 'ok_']));
        $this->assertNobodyConnected();
    }

    public function testMissingDsnIsAConfigException(): void
    {
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessage('dsgvo.dsn');
        new Store();
    }

    public function testEveryIniSettingExistsWithItsDefault(): void
    {
        $expected = [
            'dsgvo.dsn' => '',
            'dsgvo.table_prefix' => 'dsgvo_',
            'dsgvo.shop' => 'none',
            'dsgvo.shop_table_prefix' => '',
            'dsgvo.secret' => '',
            'dsgvo.query_timeout_ms' => '5000',
            'dsgvo.connect_timeout_ms' => '2000',
            'dsgvo.consent_token_ttl_days' => '7',
            'dsgvo.truncate_ip' => '0',
            'dsgvo.existing_customer_max_age_days' => '730',
            'dsgvo.previous_secrets' => '',
            'dsgvo.retention_send_log_days' => '0',
            'dsgvo.retention_archive_days' => '0',
            'dsgvo.retention_pending_consent_days' => '0',
            'dsgvo.erase_strategies' => '',
            'dsgvo.recommend_min_customers' => '5',
        ];
        $actual = ini_get_all('dsgvo', false);
        ksort($actual);
        ksort($expected);
        $this->assertSame($expected, $actual);
    }
}
