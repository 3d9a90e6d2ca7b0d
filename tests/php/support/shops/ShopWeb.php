<?php
declare(strict_types=1);

namespace Dsgvo\Tests\Shops;

use Dsgvo\Tests\WebDriver;

require_once __DIR__ . '/../WebDriver.php';

/**
 * A real shop served for an end-to-end test: a scratch copy of the shop's source tree, PHP-FPM with the
 * suite's extension and a dsgvo ini, nginx on 127.0.0.1 over HTTPS (a self-signed certificate made here:
 * RFC 8058 one-click needs https:// endpoints), and mail captured to files by a sendmail stand-in.
 * The shop is addressed as https://shop.test:PORT (mapped to 127.0.0.1 for curl and for Chromium, see
 * browserArgs()), a name like a shop's own, so its session cookie carries a host name as its Domain.
 *
 * Two FPM pools serve the same tree: "main" with the working dsgvo.dsn, and "down" whose dsgvo.dsn points at a
 * closed port. A request carrying the cookie e2e_pool=down goes to the second pool, so one request can meet an
 * unreachable dsgvo database while the shop's own database still answers.
 *
 * Everything lives under target/e2e/<shop>/ and is stopped by stop(), also when a test fails.
 */
final class ShopWeb
{
    /** @var string scratch root (work files, logs, mail, screenshots) */
    public $dir;
    /** @var string the shop's document root (the copy) */
    public $docroot;
    /** @var string mail files land here, one file per message */
    public $mailDir;
    /** @var int */
    public $port = 0;
    public const HOST = 'shop.test';

    /** @var string https://shop.test:PORT */
    public $base = '';
    /** @var array<string, resource> */
    private $procs = [];
    /** @var int */
    private $fpmMain = 0;
    /** @var int */
    private $fpmDown = 0;
    /** @var array<string, string> */
    private $ini = [];
    /** @var string|null */
    private $user;
    /** @var string */
    private $ext;

    /** A shop tree of ../shared/fixtures/shops (or DSGVO_SHOP_SOURCES), when present. */
    public static function fixture(string $tree): ?string
    {
        $dir = getenv('DSGVO_SHOP_SOURCES');
        if (!is_string($dir) || $dir === '') {
            $dir = dirname(__DIR__, 5) . '/shared/fixtures/shops';
        }
        return is_dir("$dir/$tree") ? "$dir/$tree" : null;
    }

    public function __construct(string $dir, string $ext)
    {
        $this->dir = $dir;
        $this->ext = $ext;
        self::remove($dir);
        foreach (['', '/mail', '/tmp', '/shots', '/cookies'] as $sub) {
            if (!is_dir($dir . $sub) && !mkdir($dir . $sub, 0777, true)) {
                throw new \RuntimeException("cannot create $dir$sub");
            }
        }
        $this->mailDir = $dir . '/mail';
        $this->port = WebDriver::freePort();
        $this->base = 'https://' . self::HOST . ':' . $this->port;
        $this->makeCertificate();
        $this->makeMailCapture();
    }

    /** A browser's user agent: the shops' spiders.txt lists curl's and "headless", and spiders get no session. */
    public const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

    /**
     * Chromium switches: the shop's host name (every other name fails at once: there is no internet here, and
     * admin pages that load editors from a CDN would wait for it), the self-signed certificate, the user agent.
     *
     * @return list<string>
     */
    public function browserArgs(): array
    {
        return ['--host-resolver-rules=MAP ' . self::HOST . ' 127.0.0.1, MAP * ~NOTFOUND', '--ignore-certificate-errors', '--user-agent=' . self::USER_AGENT];
    }

    /** Copies the shop's source tree (read-only fixture) to the scratch document root. */
    public function copyTree(string $source): void
    {
        $this->docroot = $this->dir . '/shop';
        // The fixtures are read-only; the copy must be writable as a shop's files are (installers write config).
        exec('cp -a ' . escapeshellarg(rtrim($source, '/')) . ' ' . escapeshellarg($this->docroot) . ' 2>&1 && chmod -R u+w ' . escapeshellarg($this->docroot) . ' 2>&1', $out, $rc);
        if ($rc !== 0) {
            throw new \RuntimeException('copying the shop tree failed: ' . implode("\n", $out));
        }
    }

    /**
     * Starts both FPM pools with these php.ini values (dsgvo.* and the shop's needs) and nginx with the given
     * server-block body; in it, the placeholder {php} is the fastcgi_pass target.
     *
     * $user: the system user PHP runs as when the test runs as root (a shop whose installer refuses root);
     * the copy, the mail and work folders become writable for it. Null: PHP runs as the test's user.
     *
     * @param array<string, string> $ini
     */
    public function start(array $ini, string $serverBody, ?string $user = null): void
    {
        $this->ini = $ini;
        $this->user = posix_getuid() === 0 ? $user : null;
        if ($this->user !== null) {
            exec('chown -R ' . escapeshellarg($this->user) . ' ' . escapeshellarg($this->docroot) . ' ' . escapeshellarg($this->mailDir)
                . ' ' . escapeshellarg($this->dir . '/tmp'));
            chmod($this->dir, 0777);
        }
        $this->fpmMain = WebDriver::freePort();
        $this->fpmDown = WebDriver::freePort();
        $closed = WebDriver::freePort();
        $down = $ini;
        $down['dsgvo.dsn'] = preg_replace('~@[^/]+/~', "@127.0.0.1:$closed/", $ini['dsgvo.dsn'] ?? '') ?? '';
        $down['dsgvo.connect_timeout_ms'] = '300';
        $conf = "[global]\nerror_log = {$this->dir}/fpm.log\nlog_level = notice\ndaemonize = no\n\n"
            . $this->pool('main', $this->fpmMain, $ini) . $this->pool('down', $this->fpmDown, $down);
        file_put_contents($this->dir . '/fpm.conf', $conf);
        $user = posix_getuid() === 0 && $this->user === null ? ['-R'] : [];
        $this->spawn('php-fpm', array_merge(['php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, '-F', '-d', 'extension=' . $this->ext, '-d', 'opcache.enable=0',
            '-y', $this->dir . '/fpm.conf'], $user));
        $this->waitPort($this->fpmMain, 'PHP-FPM');
        $this->waitPort($this->fpmDown, 'PHP-FPM');
        $this->startNginx($serverBody);
    }

    /** Restarts nginx only, with another server-block body (e.g. the shop's own template after installing). */
    public function restartNginx(string $serverBody): void
    {
        $this->stopProc('nginx');
        $this->startNginx($serverBody);
    }

    /** A server body that hands every .php file to PHP: for the shop's installer only. */
    public static function plainPhpServer(): string
    {
        return "location ~ \\.php\$ {\n include /etc/nginx/fastcgi_params;\n"
            . " fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;\n fastcgi_param HTTPS on;\n"
            . " fastcgi_pass {php};\n}\nindex index.php;\n";
    }

    private function startNginx(string $serverBody): void
    {
        $user = posix_getuid() === 0 ? 'user root;' : '';
        $body = str_replace('{php}', '$e2e_backend', $serverBody);
        $host = self::HOST;
        $conf = <<<CONF
$user
daemon off;
worker_processes 1;
pid {$this->dir}/nginx.pid;
error_log {$this->dir}/nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log {$this->dir}/nginx-access.log;
    client_body_temp_path {$this->dir}/tmp/body;
    fastcgi_temp_path {$this->dir}/tmp/fastcgi;
    proxy_temp_path {$this->dir}/tmp/proxy;
    uwsgi_temp_path {$this->dir}/tmp/uwsgi;
    scgi_temp_path {$this->dir}/tmp/scgi;
    map \$cookie_e2e_pool \$e2e_backend {
        default 127.0.0.1:{$this->fpmMain};
        down 127.0.0.1:{$this->fpmDown};
    }
    map \$sent_http_content_type \$zencart_expires { default off; }
    server {
        listen 127.0.0.1:{$this->port} ssl;
        server_name $host;
        ssl_certificate {$this->dir}/cert.pem;
        ssl_certificate_key {$this->dir}/key.pem;
        root {$this->docroot};
        fastcgi_param HTTPS on;
$body
    }
}
CONF;
        file_put_contents($this->dir . '/nginx.conf', $conf);
        $this->spawn('nginx', ['nginx', '-c', $this->dir . '/nginx.conf', '-e', $this->dir . '/nginx-error.log']);
        $this->waitPort($this->port, 'nginx');
    }

    private function waitPort(int $port, string $what): void
    {
        $deadline = microtime(true) + 20;
        while (true) {
            $socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 0.5);
            if ($socket !== false) {
                fclose($socket);
                return;
            }
            if (microtime(true) > $deadline) {
                throw new \RuntimeException("$what did not start: " . @file_get_contents($this->dir . '/nginx-error.log') . @file_get_contents($this->dir . '/fpm.log'));
            }
            usleep(50000);
        }
    }

    /** @param array<string, string> $ini */
    private function pool(string $name, int $port, array $ini): string
    {
        $lines = "[$name]\n" . ($this->user !== null ? "user = {$this->user}\ngroup = {$this->user}\n" : '') . "listen = 127.0.0.1:$port\npm = static\npm.max_children = 2\nrequest_terminate_timeout = 60s\n"
            . "catch_workers_output = yes\nclear_env = no\n"
            . "php_admin_value[sendmail_path] = \"{$this->dir}/sendmail.sh\"\n"
            . "php_admin_value[error_log] = {$this->dir}/php-errors.log\nphp_admin_flag[log_errors] = on\n"
            . "php_admin_value[session.save_path] = {$this->dir}/tmp\n";
        foreach ($ini as $key => $value) {
            $lines .= "php_admin_value[$key] = \"" . str_replace('"', '', $value) . "\"\n";
        }
        return $lines . "\n";
    }

    /** @param list<string> $cmd */
    private function spawn(string $name, array $cmd): void
    {
        $log = $this->dir . "/$name.out";
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException("cannot start $name");
        }
        $this->procs[$name] = $proc;
    }

    private function stopProc(string $name): void
    {
        if (!isset($this->procs[$name])) {
            return;
        }
        $proc = $this->procs[$name];
        unset($this->procs[$name]);
        proc_terminate($proc, 15);
        $deadline = microtime(true) + 5;
        while (proc_get_status($proc)['running'] && microtime(true) < $deadline) {
            usleep(20000);
        }
        if (proc_get_status($proc)['running']) {
            proc_terminate($proc, 9);
        }
        proc_close($proc);
    }

    /** Stops nginx and FPM. The scratch directory stays for a look after a failure (screenshots, logs). */
    public function stop(): void
    {
        foreach (array_reverse(array_keys($this->procs)) as $name) {
            $this->stopProc($name);
        }
    }

    /** The PHP error log of both pools (warnings, notices, fatal errors of the shop and the integration). */
    public function phpErrors(): string
    {
        return (string) @file_get_contents($this->dir . '/php-errors.log') . (string) @file_get_contents($this->dir . '/fpm.log');
    }

    /** @return list<string> captured mail files, oldest first */
    public function mails(): array
    {
        $files = glob($this->mailDir . '/*.eml') ?: [];
        sort($files);
        return $files;
    }

    public function clearMail(): void
    {
        foreach ($this->mails() as $file) {
            unlink($file);
        }
    }

    /**
     * An HTTP request as a plain client (no browser): cookie jar per $jar name, browser-like user agent (the
     * shops treat curl's own as a spider), certificate not checked (self-signed here).
     *
     * @param array<string, string>|string|null $post
     * @param list<string> $headers
     * @return array{status: int, headers: string, body: string, url: string}
     */
    public function request(string $method, string $pathOrUrl, $post = null, string $jar = 'default', array $headers = []): array
    {
        $url = preg_match('~^https://~', $pathOrUrl) === 1 ? $pathOrUrl : $this->base . '/' . ltrim($pathOrUrl, '/');
        $curl = curl_init($url);
        $cookies = $this->dir . "/cookies/$jar.txt";
        curl_setopt_array($curl, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HEADER => true,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_SSL_VERIFYPEER => false,
            CURLOPT_SSL_VERIFYHOST => 0,
            CURLOPT_COOKIEJAR => $cookies,
            CURLOPT_COOKIEFILE => $cookies,
            CURLOPT_USERAGENT => self::USER_AGENT,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RESOLVE => [self::HOST . ':' . $this->port . ':127.0.0.1'],
        ]);
        if ($post !== null) {
            curl_setopt($curl, CURLOPT_POSTFIELDS, is_array($post) ? http_build_query($post) : $post);
        }
        $raw = curl_exec($curl);
        if (!is_string($raw)) {
            throw new \RuntimeException("$method $url: " . curl_error($curl));
        }
        $size = (int) curl_getinfo($curl, CURLINFO_HEADER_SIZE);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        return ['status' => $status, 'headers' => substr($raw, 0, $size), 'body' => substr($raw, $size), 'url' => $url];
    }

    private function makeCertificate(): void
    {
        $key = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        if ($key === false) {
            throw new \RuntimeException('openssl_pkey_new failed: ' . openssl_error_string());
        }
        $csr = openssl_csr_new(['commonName' => self::HOST], $key, ['digest_alg' => 'sha256']);
        $cert = openssl_csr_sign($csr, null, $key, 2, ['digest_alg' => 'sha256']);
        openssl_x509_export($cert, $certPem);
        openssl_pkey_export($key, $keyPem);
        file_put_contents($this->dir . '/cert.pem', $certPem);
        file_put_contents($this->dir . '/key.pem', $keyPem);
    }

    /** A sendmail stand-in: each message (as mail() hands it over) becomes one file in mail/. */
    private function makeMailCapture(): void
    {
        $script = "#!/bin/sh\nf=\"{$this->mailDir}/\$(date +%s%N)-\$\$\"\ncat > \"\$f.part\" && mv \"\$f.part\" \"\$f.eml\"\n";
        file_put_contents($this->dir . '/sendmail.sh', $script);
        chmod($this->dir . '/sendmail.sh', 0755);
    }

    /** Whether $test failed or errored so far: hasFailed() on PHPUnit 9, status() from PHPUnit 10 on. */
    public static function failed(\PHPUnit\Framework\TestCase $test): bool
    {
        if (method_exists($test, 'hasFailed')) {
            return $test->hasFailed();
        }
        $status = $test->status();
        return $status->isFailure() || $status->isError();
    }

    public static function remove(string $path): void
    {
        if (is_dir($path) && !is_link($path)) {
            exec('rm -rf ' . escapeshellarg($path));
        } elseif (file_exists($path) || is_link($path)) {
            unlink($path);
        }
    }
}
