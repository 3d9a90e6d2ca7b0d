<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\ConfigException;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;
use ZipArchive;

/**
 * The Art. 15(1)(a)-(h) information in every export format (issue 16, acceptance 4): export.json, index.html and
 * manifest.json show each item, the storage period per table from the data map, the shop's own texts from
 * export_information, and name visibly what the shop has not provided.
 */
final class ExportInformationTest extends TestCase
{
    private const SECRET = '6789439c65275c62186716d9f12902d0926432bcd726bc25ea270bb6327ef1c1';
    private const ITEMS = ['purposes' => 'a', 'categories' => 'b', 'recipients' => 'c', 'storage' => 'd',
        'rights' => 'e', 'complaint' => 'f', 'source' => 'g', 'automated_decisions' => 'h'];

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function shops(): array
    {
        return Shop::ownOsCommerceAndZenCart();
    }

    /** @return array{0: array, 1: string, 2: array} export.json, index.html and manifest.json of a ZIP export */
    private function package(\Dsgvo\Store $store, int $id): array
    {
        $dir = sys_get_temp_dir() . '/dsgvo-art15-' . getmypid() . '-' . mt_rand();
        mkdir($dir);
        try {
            $store->exportTo($id, "$dir/export.zip");
            $zip = new ZipArchive();
            $this->assertTrue($zip->open("$dir/export.zip", ZipArchive::CHECKCONS));
            $files = [
                json_decode((string) $zip->getFromName('export.json'), true, 64, JSON_THROW_ON_ERROR),
                (string) $zip->getFromName('index.html'),
                json_decode((string) $zip->getFromName('manifest.json'), true, 64, JSON_THROW_ON_ERROR),
            ];
            $zip->close();
            return $files;
        } finally {
            @unlink("$dir/export.zip");
            rmdir($dir);
        }
    }

    /** @dataProvider shops */
    #[DataProvider('shops')]
    public function testEveryItemIsShownAndWhatIsMissingIsNamed(string $fixture, string $preset, string $prefix): void
    {
        $shop = Shop::createOrSkip($fixture, $preset, $prefix);
        try {
            $store = $shop->store(['secret' => self::SECRET, 'export_information' => [
                'controller' => "Beispiel GmbH\nHauptstraße 1, 10115 Berlin",
                'recipients' => 'DHL Paket GmbH (Versand); Zahlungsdienstleister <PayPal>',
                'dpo' => '',
            ]]);
            $store->migrate();
            $rows = new ShopRows($shop);
            $id = $shop->addCustomer('erika@example.org');
            $rows->order('A', 900, $id, 'erika@example.org', ['first' => 'Erika', 'last' => 'Mustermann',
                'street' => 'Teststraße 5', 'postcode' => '10115', 'city' => 'Berlin', 'phone' => '030 1'], 30, [7 => 'Tasse']);
            [$doc, $html, $manifest] = $this->package($store, $id);

            $info = $doc['information'];
            foreach (self::ITEMS as $key => $item) {
                $this->assertSame($item, $info[$key]['item'], "Art. 15(1)($item) is $key");
            }
            $this->assertSame("Beispiel GmbH\nHauptstraße 1, 10115 Berlin", $info['controller']);
            $this->assertSame('DHL Paket GmbH (Versand); Zahlungsdienstleister <PayPal>', $info['recipients']['shop']);
            $this->assertSame(['contact', 'dpo', 'purposes', 'authority'], $info['not_provided'], 'a blank text is not provided');
            $this->assertNull($info['dpo']);
            $this->assertNull($info['complaint']['authority']);
            $this->assertEquals($info, $manifest['information'], 'the manifest carries the same information');
            $this->assertEquals($info, json_decode($store->export($id), true, 64, JSON_THROW_ON_ERROR)['information'], 'export() too');

            // (d): a storage period for every mapped table this shop has, from the data map.
            $storage = array_column($info['storage']['tables'], null, 'table');
            $sections = array_column($doc['sections'], 'table');
            $this->assertSame($sections, array_keys($storage), 'one storage period per exported table');
            $orders = $storage[$prefix . 'orders'];
            $this->assertSame([8, 'retain'], [$orders['years'], $orders['erasure']]);
            $this->assertStringContainsString('§ 147 Abs. 1 Nr. 4', $orders['norm']);
            $this->assertStringContainsString('8 Jahre ab Ende des Kalenderjahres', $orders['period']['de']);
            $this->assertStringContainsString('8 years from the end of the calendar year', $orders['period']['en']);
            $this->assertSame(8, $storage[$prefix . 'orders_products']['years'], 'an order\'s products follow it');
            $this->assertNull($storage[$prefix . 'customers']['years']);
            $this->assertStringContainsString('Art. 17', $storage[$prefix . 'customers']['period']['en']);
            $this->assertSame(array_column($doc['sections'], 'id'), array_column($info['categories']['tables'], 'id'), '(b) the categories are the sections');
            // (e), (f): the rights, withdrawal and the complaint.
            $articles = implode(' | ', array_column($info['rights']['rights'], 'article'));
            foreach (['Art. 15', 'Art. 16', 'Art. 17', 'Art. 18', 'Art. 20', 'Art. 21', 'Art. 7 Abs. 3', 'Art. 77'] as $article) {
                $this->assertStringContainsString($article, $articles);
            }
            $this->assertStringContainsString('no legal effect', $info['automated_decisions']['text']['en']);
            $this->assertStringContainsString('at least 5 different customers', $info['automated_decisions']['text']['en']);

            // index.html: every item, the shop's texts escaped, and what is missing named visibly.
            foreach (self::ITEMS as $item) {
                $this->assertMatchesRegularExpression("/<h3 id=\"art15-$item\">\\($item\\) /", $html);
            }
            $this->assertStringContainsString('Zahlungsdienstleister &lt;PayPal&gt;', $html);
            $this->assertStringNotContainsString('<PayPal>', $html);
            $this->assertMatchesRegularExpression('/<div class="missing" id="not-provided">[^<]*<span class="en">[^<]*<\/span>: Kontakt \(contact\), Datenschutzbeauftragter \(data protection officer\), Zwecke \(purposes\), Zuständige Aufsichtsbehörde \(supervisory authority\)<\/div>/', $html);
            $this->assertStringContainsString('Vom Shop nicht angegeben: Datenschutzbeauftragter', $html);
            $this->assertStringNotContainsString('Vom Shop nicht angegeben: Verantwortlicher', $html, 'the controller was provided');
            $this->assertStringContainsString('8 Jahre ab Ende des Kalenderjahres', $html);
        } finally {
            $shop->drop();
        }
    }

    public function testAllProvidedAndTheShopsOwnPeriods(): void
    {
        $shop = Shop::create('minimal', 'oscommerce', '');
        try {
            $texts = ['controller' => 'Beispiel GmbH', 'contact' => 'info@example.com', 'dpo' => 'Dr. Daten, dsb@example.com',
                'purposes' => 'Vertragsabwicklung, Newsletter', 'recipients' => 'DHL', 'authority' => 'Berliner Beauftragte für Datenschutz'];
            $store = $shop->store(['secret' => self::SECRET, 'export_information' => $texts,
                'retention_years' => ['orders' => 10], 'retention_send_log_days' => 400]);
            $store->migrate();
            $id = $shop->addCustomer('max@example.org');
            [$doc, $html] = $this->package($store, $id);
            $info = $doc['information'];
            $this->assertSame([], $info['not_provided']);
            $this->assertSame('Berliner Beauftragte für Datenschutz', $info['complaint']['authority']);
            $this->assertSame('Vertragsabwicklung, Newsletter', $info['purposes']['shop']);
            $this->assertStringNotContainsString('not-provided', $html);
            $this->assertStringNotContainsString('Vom Shop nicht angegeben', $html);
            $storage = array_column($info['storage']['tables'], null, 'table');
            $this->assertSame(10, $storage['orders']['years'], 'retention_years replaces the legal default');
            $this->assertSame(8, $storage['orders_products']['years']);
            $this->assertStringContainsString('at most 400 days', $storage['dsgvo_send_log']['period']['en']);
        } finally {
            $shop->drop();
        }
    }

    public function testBadInformationIsRefused(): void
    {
        $db = TestDatabase::create('art15_bad');
        try {
            foreach ([
                [['controler' => 'x'], "unknown key 'controler'"],
                [['dpo' => 3], "'dpo' must be a string"],
                [['authority' => ['Berlin']], "'authority' must be a string"],
                ['controller=x', 'JSON object'],
                [['purposes' => "a\0b"], 'control characters'],
            ] as [$bad, $says]) {
                try {
                    new \Dsgvo\Store(['dsn' => $db->dsn, 'export_information' => $bad]);
                    $this->fail('refused: ' . json_encode($bad));
                } catch (ConfigException $e) {
                    $this->assertStringContainsString("option 'export_information'", $e->getMessage());
                    $this->assertStringContainsString($says, $e->getMessage());
                }
            }
            $this->assertSame([], $db->tables(), 'nothing written');
        } finally {
            $db->drop();
        }
    }

    public function testTheIniSettingTakesAJsonObject(): void
    {
        $db = TestDatabase::create('art15_ini');
        try {
            $base = (string) tempnam(sys_get_temp_dir(), 'dsgvo-art15-');
            $script = "$base.php";
            file_put_contents($script, '<?php $s = new Dsgvo\\Store(["dsn" => $argv[1], "secret" => "' . self::SECRET . '"]); $s->migrate();'
                . ' echo json_encode(json_decode($s->export(5), true)["information"]["not_provided"]);');
            try {
                $ini = 'dsgvo.export_information=\'{"controller": "Beispiel GmbH, Berlin", "dpo": "dsb@example.com"}\'';
                $run = Php::run($script, [$db->dsn], true, 60.0, ['-d', $ini]);
            } finally {
                unlink($script);
                unlink($base);
            }
            $this->assertSame('', $run['stderr']);
            $this->assertSame('["contact","purposes","recipients","authority"]', trim($run['stdout']));
        } finally {
            $db->drop();
        }
    }
}
