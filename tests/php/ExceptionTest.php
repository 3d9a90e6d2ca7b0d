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

    /**
     * Array arguments that PHP allows but no caller means: keys that are not UTF-8, an array that contains
     * itself by reference, nesting 100,000 deep. Each is a typed exception, never a panic or a crash.
     */
    public function testHostileArraysAreRefusedByType(): void
    {
        $self = [];
        $self['erase_strategies'] = &$self;
        $deep = 1;
        for ($i = 0; $i < 100000; $i++) {
            $deep = [$deep];
        }
        $cases = [
            'non-UTF-8 option key' => [fn () => new Store(["\xff" => 1]), ConfigException::class, 'unknown option'],
            'array containing itself' => [fn () => new Store($self), ConfigException::class, "option 'erase_strategies'"],
            'nesting 100,000 deep' => [fn () => new Store(['dsn' => $deep]), ConfigException::class, "option 'dsn'"],
            'non-UTF-8 proof key' => [fn () => (new Store(['dsn' => TestDatabase::baseDsn()]))->grantConsent(1, 'newsletter', ["\xfe\xff" => 'a']),
                InvalidInputException::class, 'unknown proof key'],
            'proof containing itself' => [function () use ($self) {
                (new Store(['dsn' => TestDatabase::baseDsn()]))->grantConsent(1, 'newsletter', ['text' => $self]);
            }, InvalidInputException::class, "proof 'text'"],
        ];
        foreach ($cases as $name => [$call, $class, $message]) {
            try {
                $call();
                $this->fail("$name: accepted");
            } catch (\Throwable $e) {
                $this->assertInstanceOf($class, $e, "$name: " . get_class($e) . ': ' . $e->getMessage());
                $this->assertStringContainsString($message, $e->getMessage(), $name);
            }
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
