<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use Dsgvo\DatabaseException;
use Dsgvo\Exception;
use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use Dsgvo\TokenException;
use PHPUnit\Framework\TestCase;

/** The exception tree behaves like any PHP exception: file, line, trace, catchable as RuntimeException. */
final class ExceptionTest extends TestCase
{
    public function testTree(): void
    {
        $this->assertSame(\RuntimeException::class, get_parent_class(Exception::class));
        foreach ([ConfigException::class, DatabaseException::class, InvalidInputException::class, TokenException::class] as $class) {
            $this->assertSame(Exception::class, get_parent_class($class), $class);
            $this->assertTrue(is_subclass_of($class, \RuntimeException::class), $class);
        }
    }

    private function throwFromHelper(): void
    {
        new Store(['dsn' => 'not a url']);
    }

    public function testThrownExceptionsCarryFileLineAndTrace(): void
    {
        $line = __LINE__ + 2;
        try {
            new Store(['dsn' => 'mysql://root@127.0.0.1/db', 'shop' => 'nope']);
            $this->fail('expected an exception');
        } catch (\RuntimeException $e) {
            $this->assertInstanceOf(ConfigException::class, $e);
            $this->assertSame(__FILE__, $e->getFile());
            $this->assertSame($line, $e->getLine());
        }
        try {
            $this->throwFromHelper();
            $this->fail('expected an exception');
        } catch (Exception $e) {
            $trace = $e->getTrace();
            $this->assertSame('__construct', $trace[0]['function'] ?? null, $e->getTraceAsString());
            $this->assertSame(__FILE__, $trace[0]['file'] ?? null);
            $this->assertSame('throwFromHelper', $trace[1]['function'] ?? null, $e->getTraceAsString());
            $this->assertSame(__FUNCTION__, $trace[2]['function'] ?? null, $e->getTraceAsString());
        }
    }

    public function testUserCodeCanConstructExtendAndSerialiseThem(): void
    {
        $e = new DatabaseException('down', 2002);
        $this->assertSame('down', $e->getMessage());
        $this->assertSame(2002, $e->getCode());
        $copy = unserialize(serialize($e));
        $this->assertInstanceOf(DatabaseException::class, $copy);
        $this->assertSame('down', $copy->getMessage());

        $sub = new class('mine') extends TokenException {
        };
        $this->assertInstanceOf(Exception::class, $sub);
    }
}
