<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\Store;
use PHPUnit\Framework\TestCase;

/** A Store is a closed object: final, no dynamic properties, not cloneable, not serialisable. */
final class StoreObjectTest extends TestCase
{
    private function store(): Store
    {
        return new Store(['dsn' => 'mysql://root@127.0.0.1:1/none']);
    }

    public function testIsFinal(): void
    {
        $this->assertTrue((new \ReflectionClass(Store::class))->isFinal());
    }

    public function testRefusesDynamicProperties(): void
    {
        $this->expectException(\Error::class);
        $this->expectExceptionMessage('Cannot create dynamic property');
        $store = $this->store();
        $store->dsn = 'typo';
    }

    public function testCannotBeCloned(): void
    {
        $this->expectException(\Error::class);
        clone $this->store();
    }

    public function testCannotBeSerialised(): void
    {
        $this->expectException(\Exception::class);
        $this->expectExceptionMessage('not allowed');
        serialize($this->store());
    }

    public function testLoadsByItsExtensionName(): void
    {
        // Shops write extension=dsgvo: PHP then looks for dsgvo.so in extension_dir.
        $dir = sys_get_temp_dir() . '/dsgvo-extdir-' . getmypid();
        @mkdir($dir);
        copy(Php::extensionPath(), $dir . '/dsgvo.so');
        try {
            $cmd = [PHP_BINARY, '-n', '-d', 'extension_dir=' . $dir, '-d', 'extension=dsgvo', '-r', 'echo phpversion("dsgvo");'];
            $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            $out = stream_get_contents($pipes[1]);
            $err = stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            $this->assertSame(0, proc_close($proc), (string) $err);
            $this->assertSame((new \ReflectionExtension('dsgvo'))->getVersion(), $out);
        } finally {
            unlink($dir . '/dsgvo.so');
            rmdir($dir);
        }
    }
}
