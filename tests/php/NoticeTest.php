<?php
declare(strict_types=1);

namespace Dsgvo\Tests;

use Dsgvo\InvalidInputException;
use Dsgvo\Store;
use DOMDocument;
use DOMXPath;
use PHPUnit\Framework\TestCase;

/**
 * The notice in every advertising mail (§ 7 Abs. 3 Nr. 4 UWG), the send log that insists on it, whether a
 * transactional mail may advertise, and tags that stop with an objection (Art. 21(2), (3) GDPR).
 */
final class NoticeTest extends TestCase
{
    private const SECRET = 'e140f682d2a05d9bc9ba3ca00504266bfb0d46f4c7fd860a19b9c77e84f3e2e0';

    /** @var Shop */
    private $shop;
    /** @var Store */
    private $store;

    protected function setUp(): void
    {
        $this->shop = Shop::create('minimal', 'oscommerce', '');
        $this->store = $this->shop->store(['secret' => self::SECRET]);
        $this->store->migrate();
    }

    protected function tearDown(): void
    {
        $this->shop->drop();
    }

    private function rows(string $table, string $where = '1'): int
    {
        return (int) $this->shop->db->pdo->query("SELECT COUNT(*) FROM dsgvo_$table WHERE $where")->fetchColumn();
    }

    /** The notice's HTML as a mail client shows it: a small mail around it. */
    private static function mail(string $noticeHtml, string $lang): string
    {
        $greeting = $lang === 'de' ? 'Hallo Frau Winter, zu Ihrem Bordeaux passt unser neuer Jahrgang.' : 'Dear Ms Winter, our new vintage goes well with your Bordeaux.';
        return "<!DOCTYPE html><html lang=\"$lang\"><head><meta charset=\"utf-8\"><title>Mail</title></head>"
            . '<body style="font-family: Arial, sans-serif; max-width: 600px; margin: 20px auto; color: #222">'
            . "<p>$greeting</p><hr style=\"border: 0; border-top: 1px solid #ccc\">"
            . '<div style="font-size: 12px; color: #555">' . $noticeHtml . '</div></body></html>';
    }

    public function testTheNoticeSaysWhatTheStatuteAsksAndCarriesTheSignedLink(): void
    {
        $id = $this->shop->addCustomer('wanda@example.org');
        $headers = $this->store->unsubscribeHeaders($id, 'winback', 'https://shop.example/unsubscribe.php?lang=de');
        foreach (['de' => ['jederzeit widersprechen', 'Übermittlungskosten nach den Basistarifen'], 'en' => ['object at any time', 'transmission costs at the basic rates']] as $lang => $phrases) {
            $notice = $this->store->objectionNotice($id, 'winback', 'https://shop.example/unsubscribe.php?lang=de', $lang);
            $this->assertSame(['text', 'html', 'url'], array_keys($notice));
            // The URL has the List-Unsubscribe URL's form, and its token names the customer and the type.
            $this->assertMatchesRegularExpression('~^https://shop\.example/unsubscribe\.php\?lang=de&t=[A-Za-z0-9_-]+$~', $notice['url']);
            $this->assertMatchesRegularExpression('~^<https://shop\.example/unsubscribe\.php\?lang=de&t=[A-Za-z0-9_-]+>$~', $headers['List-Unsubscribe']);
            parse_str((string) parse_url($notice['url'], PHP_URL_QUERY), $query);
            $this->assertSame(['customer_id' => $id, 'type' => 'winback'], array_slice($this->store->readUnsubscribeToken($query['t']), 0, 2));
            foreach ($phrases as $phrase) {
                $this->assertStringContainsString($phrase, $notice['text'], $lang);
                $this->assertStringContainsString($phrase, $notice['html'], $lang);
            }
            $this->assertStringEndsWith($notice['url'], $notice['text']);

            // One paragraph with one link to exactly that URL; the & of the query escaped.
            $this->assertStringContainsString('lang=de&amp;t=', $notice['html']);
            $doc = new DOMDocument();
            $this->assertTrue($doc->loadHTML('<?xml encoding="utf-8"?><body>' . $notice['html'] . '</body>', LIBXML_NOERROR));
            $xpath = new DOMXPath($doc);
            $this->assertSame(1, $xpath->query('//body/p[@class="dsgvo-objection-notice"][@lang="' . $lang . '"]')->length);
            $links = $xpath->query('//p/a');
            $this->assertSame(1, $links->length);
            $this->assertSame($notice['url'], $links->item(0)->getAttribute('href'));
            $this->assertSame(0, $xpath->query('//script|//img|//style')->length);

            $out = dirname(__DIR__, 2) . '/target/test-output';
            @mkdir("$out/screenshots", 0777, true);
            file_put_contents("$out/objection-notice-$lang.html", self::mail($notice['html'], $lang));
        }
        $all = $this->store->objectionNotice($id, '*', 'https://shop.example/u');
        $this->assertStringContainsString('für Werbung jederzeit', $all['text'], 'for * the notice covers all advertising');
        $this->assertStringContainsString('Basistarifen', $all['text'], "'de' by default");

        foreach ([['fr', 'de or en'], ['DE', 'de or en'], ['', 'de or en']] as [$lang, $message]) {
            try {
                $this->store->objectionNotice($id, 'winback', 'https://shop.example/u', $lang);
                $this->fail("accepted language '$lang'");
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
        $this->expectException(InvalidInputException::class);
        $this->store->objectionNotice($id, 'winback', 'http://shop.example/u');
    }

    public function testTheNoticesLinkUnsubscribesThroughTheExampleEndpoint(): void
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        [$proc, $pipes] = Php::start('-S', ["127.0.0.1:$port", '-t', dirname(__DIR__, 2) . '/examples'], true, [
            '-d', 'dsgvo.dsn=' . $this->shop->db->dsn, '-d', 'dsgvo.secret=' . self::SECRET, '-d', 'dsgvo.shop=oscommerce',
        ]);
        try {
            for ($i = 0; $i < 100 && @fsockopen('127.0.0.1', $port) === false; $i++) {
                usleep(50000);
            }
            $id = $this->shop->addCustomer('wanda@example.org');
            $this->shop->addOrder($id, 'wanda@example.org', 10);
            $this->store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2000-01-01']);
            $this->assertTrue($this->store->maySend($id, 'winback')->allowed);
            $notice = $this->store->objectionNotice($id, 'winback', 'https://shop.example/unsubscribe.php');
            // The mail client follows the link (here: to the local server instead of shop.example).
            $local = str_replace('https://shop.example', "http://127.0.0.1:$port", $notice['url']);
            $page = (string) file_get_contents($local, false, stream_context_create(['http' => ['ignore_errors' => true, 'timeout' => 10]]));
            $this->assertStringContainsString('<form method="post"', $page);
            $this->assertSame(0, $this->rows('opt_outs'), 'opening the link changes nothing');
            $response = file_get_contents($local, false, stream_context_create(['http' => [
                'method' => 'POST', 'ignore_errors' => true, 'timeout' => 10,
                'header' => "Content-Type: application/x-www-form-urlencoded\r\n", 'content' => 'List-Unsubscribe=One-Click',
            ]]));
            $this->assertMatchesRegularExpression('~^HTTP/\S+ 200~', $http_response_header[0] ?? '', (string) $response);
            $this->assertSame('opted_out', $this->store->maySend($id, 'winback')->reason);
        } finally {
            proc_terminate($proc);
            Php::finish($proc, $pipes, 5);
        }
    }

    public function testSection7Paragraph3MailIsLoggedOnlyWithTheNotice(): void
    {
        $this->store->defineEmailType('winback', 'existing_customer', ['notice_since' => '2000-01-01']);
        $this->store->defineEmailType('newsletter', 'consent');
        try {
            $this->store->logSend(3, 'winback', ['subject' => 'Wir vermissen Sie']);
            $this->fail('a § 7(3) send without the notice was logged');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString("'notice' => true", $e->getMessage());
        }
        try {
            $this->store->logSend(3, 'winback', ['notice' => false]);
            $this->fail('notice false was logged');
        } catch (InvalidInputException $e) {
            $this->assertStringContainsString('objectionNotice', $e->getMessage());
        }
        $this->assertSame(0, $this->rows('send_log'), 'nothing written');
        $this->assertGreaterThan(0, $this->store->logSend(3, 'winback', ['notice' => true]));
        $this->assertGreaterThan(0, $this->store->logSend(3, 'newsletter'));
        $this->assertGreaterThan(0, $this->store->logSend(3, 'undefined.type'));
        $this->assertSame(3, $this->rows('send_log'));
        $this->expectException(InvalidInputException::class);
        $this->store->logSend(3, 'winback', ['notice' => 'yes']);
    }

    public function testATransactionalMailAdvertisesOnlyWhenItsAdvertisingTypeIsAllowed(): void
    {
        $id = $this->shop->addCustomer('otto@example.org');
        $this->shop->addOrder($id, 'otto@example.org', 3);
        $this->store->defineEmailType('offers', 'existing_customer', ['notice_since' => '2000-01-01']);
        $this->store->defineEmailType('order.confirmation', 'transactional', ['advertising_type' => 'offers']);
        $this->store->defineEmailType('shipping', 'transactional');

        $flags = function (int $customer, string $type): array {
            $d = $this->store->maySend($customer, $type);
            return [$d->allowed, $d->reason, $d->mayAdvertise, $d->noticeRequired];
        };
        $this->assertSame([true, 'transactional', true, true], $flags($id, 'order.confirmation'));
        $this->assertSame([true, 'transactional', false, false], $flags($id, 'shipping'));
        $this->assertSame([true, 'existing_customer', true, true], $flags($id, 'offers'));
        $this->assertSame([true, 'transactional', false, false], $flags(999, 'order.confirmation'), 'unknown to the shop: no advertising');
        $this->assertSame([false, 'no_consent', false, false], $flags($id, 'newsletter'), 'denied: both false');
        $this->assertSame([$id], $this->store->filterSendable([$id], 'order.confirmation'));

        $this->store->optOut($id, 'offers');
        $this->assertSame([true, 'transactional', false, false], $flags($id, 'order.confirmation'), 'the objection stops the advertising, not the mail');

        foreach ([
            ['x', 'transactional', ['advertising_type' => 'nothing.defined'], 'define'],
            ['x', 'transactional', ['advertising_type' => 'shipping'], 'transactional'],
            ['x', 'transactional', ['advertising_type' => 'x'], 'another type'],
            ['x', 'consent', ['advertising_type' => 'offers'], 'transactional'],
            ['x', 'transactional', ['consent' => 'double_opt_in'], 'transactional'],
            ['x', 'consent', ['similar_categories' => [3]], 'existing_customer'],
            ['x', 'existing_customer', ['similar_categories' => []], 'at least one'],
            ['x', 'existing_customer', ['excluded_order_statuses' => ['storniert']], 'shop ids'],
            ['x', 'consent', ['consent' => 'single'], 'double_opt_in'],
            ['x', 'consent', ['consent_max_idle_days' => 0], 'consent_max_idle_days'],
        ] as [$type, $basis, $options, $message]) {
            try {
                $this->store->defineEmailType($type, $basis, $options);
                $this->fail('accepted ' . json_encode($options));
            } catch (InvalidInputException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
    }

    public function testTagsStopWithAnObjectionAndAreRemoved(): void
    {
        $id = $this->shop->addCustomer('tina@example.org');
        $other = $this->shop->addCustomer('ulf@example.org');
        $this->assertTrue($this->store->tag($id, 'vip', 'spent.over.1000'));
        $this->assertTrue($this->store->tag($id, 'wine-lover'));
        $this->assertTrue($this->store->tag($other, 'vip'));
        $this->assertSame(0, $this->rows('request_log'));

        $this->store->optOut($id);
        $this->assertSame([], $this->store->tags($id), 'the objection removed the tags');
        $this->assertCount(1, $this->store->tags($other), "another customer's tags stay");
        $this->assertFalse($this->store->tag($id, 'vip'));
        $this->assertSame(0, $this->rows('tags', "customer_id = $id"), 'nothing written');
        // The removal is recorded, without the tags' names and without the customer.
        $log = $this->shop->db->pdo->query('SELECT kind, summary FROM dsgvo_request_log')->fetchAll(\PDO::FETCH_ASSOC);
        $this->assertCount(1, $log);
        $this->assertSame('tags_removed', $log[0]['kind']);
        $this->assertSame(['tags' => 2, 'objection' => '*'], json_decode($log[0]['summary'], true));
        $this->assertStringNotContainsString('vip', $log[0]['summary']);

        // An objection to personalisation does the same, also through the link.
        $this->assertTrue($this->store->tag($other, 'wine-lover'));
        $this->store->unsubscribe($this->store->unsubscribeToken($other, 'personalisation'));
        $this->assertSame([], $this->store->tags($other));
        $this->assertFalse($this->store->tag($other, 'vip'));
        // An objection to another type leaves tagging alone.
        $third = $this->shop->addCustomer('vera@example.org');
        $this->store->optOut($third, 'newsletter');
        $this->assertTrue($this->store->tag($third, 'vip'));
        $this->assertCount(1, $this->store->tags($third));
    }
}
