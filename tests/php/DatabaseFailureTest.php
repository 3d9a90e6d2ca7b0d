<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\DatabaseException;
use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/**
 * Failures of the database reach PHP as DatabaseException within the configured bounds, name host and
 * port but never the password, and leave the Store usable.
 */
final class DatabaseFailureTest extends TestCase
{
    public function testAServerThatNeverAnswersFailsWithinTheConnectTimeout(): void
    {
        // Listening, never accepting: the TCP handshake completes, the MySQL greeting never comes.
        $silent = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($silent, false), ':'), 1);
        $store = new Store([
            'dsn' => "mysql://shop:Sup3r-Secret-PW@127.0.0.1:{$port}/shop",
            'connect_timeout_ms' => 400,
        ]);

        $started = microtime(true);
        try {
            $store->migrate();
            $this->fail('expected Dsgvo\DatabaseException');
        } catch (DatabaseException $e) {
            $took = microtime(true) - $started;
            $this->assertGreaterThanOrEqual(0.39, $took);
            $this->assertLessThan(0.4 + 1.0, $took, 'connect_timeout_ms + 1 s');
            $this->assertStringContainsString("127.0.0.1:{$port}", $e->getMessage());
            $this->assertStringContainsString('connect_timeout_ms', $e->getMessage());
            $this->assertStringNotContainsString('Sup3r-Secret-PW', $e->getMessage());
            $this->assertStringNotContainsString('Sup3r-Secret-PW', $e->getTraceAsString());
        }
        $this->assertFalse($store->ping(), 'ping() answers false while the server does not answer');
        fclose($silent);
    }

    public function testARefusedConnectionFailsAtOnce(): void
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe); // nothing listens there now
        $store = new Store(['dsn' => "mysql://root:pw-xyz@127.0.0.1:{$port}/shop"]);
        $started = microtime(true);
        try {
            $store->migrate();
            $this->fail('expected Dsgvo\DatabaseException');
        } catch (DatabaseException $e) {
            $this->assertLessThan(1.0, microtime(true) - $started);
            $this->assertStringContainsString("127.0.0.1:{$port}", $e->getMessage());
            $this->assertStringNotContainsString('pw-xyz', $e->getMessage());
        }
    }

    public function testWrongCredentialsAreAnExceptionWithTheServerCode(): void
    {
        $p = TestDatabase::parts(TestDatabase::baseDsn());
        $store = new Store(['dsn' => sprintf('mysql://dsgvo_nobody:Wr0ng-Pass@%s:%d/test', $p['host'], $p['port'])]);
        try {
            $store->ping();
            $this->fail('expected Dsgvo\DatabaseException');
        } catch (DatabaseException $e) {
            $this->assertSame(1045, $e->getCode());
            $this->assertStringNotContainsString('Wr0ng-Pass', $e->getMessage());
        }
    }

    public function testAStatementBlockedByALockTimesOutAndTheNextCallWorks(): void
    {
        $db = TestDatabase::create('lock');
        try {
            $store = new Store(['dsn' => $db->dsn, 'query_timeout_ms' => 500]);
            $store->migrate();
            $db->pdo->exec('LOCK TABLES dsgvo_schema_version WRITE');

            $started = microtime(true);
            try {
                $store->migrate();
                $this->fail('expected Dsgvo\DatabaseException');
            } catch (DatabaseException $e) {
                $took = microtime(true) - $started;
                $this->assertGreaterThanOrEqual(0.45, $took);
                $this->assertLessThan(1.5, $took);
                $this->assertStringContainsString('query_timeout_ms', $e->getMessage());
            }

            $db->pdo->exec('UNLOCK TABLES');
            $this->assertSame(7, $store->migrate(), 'schema version 7');
            $this->assertTrue($store->ping());
        } finally {
            $db->drop();
        }
    }

    public function testPingAnswersTrueForALiveDatabase(): void
    {
        $store = new Store(['dsn' => TestDatabase::baseDsn()]);
        $this->assertTrue($store->ping());
        $this->assertTrue($store->ping());
    }
}
