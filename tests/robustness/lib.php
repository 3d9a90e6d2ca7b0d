<?php
/**
 * Helpers of the robustness run: a private MariaDB (so it can be killed and restarted), PHP-FPM and
 * nginx on loopback ports, a FastCGI-backed HTTP load client (curl_multi), and report printing.
 * Everything lives under target/robustness and is stopped at the end, also on failure.
 */
declare(strict_types=1);

final class Robustness
{
    /** @var string */
    public $dir;
    /** @var string */
    public $ext;
    /** @var array<string, resource> name => process */
    private $procs = [];
    /** @var list<string> */
    public $failures = [];

    public function __construct(string $root)
    {
        $this->dir = $root . '/target/robustness';
        $this->ext = getenv('DSGVO_EXT') ?: $root . '/target/release/libdsgvo.so';
        @mkdir($this->dir, 0777, true);
    }

    public static function freePort(): int
    {
        $s = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($s, false), ':'), 1);
        fclose($s);
        return $port;
    }

    public static function waitFor(callable $ready, float $seconds, string $what): void
    {
        $deadline = microtime(true) + $seconds;
        while (!$ready()) {
            if (microtime(true) > $deadline) {
                throw new RuntimeException("$what did not come up within {$seconds}s");
            }
            usleep(50000);
        }
    }

    /** @param list<string> $cmd */
    public function start(string $name, array $cmd, string $log): void
    {
        $this->procs[$name] = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes);
        if (!is_resource($this->procs[$name])) {
            throw new RuntimeException("cannot start $name");
        }
    }

    public function stop(string $name, int $signal = 15): void
    {
        if (!isset($this->procs[$name])) {
            return;
        }
        $proc = $this->procs[$name];
        unset($this->procs[$name]);
        proc_terminate($proc, $signal);
        $deadline = microtime(true) + 10;
        while (proc_get_status($proc)['running'] && microtime(true) < $deadline) {
            usleep(50000);
        }
        if (proc_get_status($proc)['running']) {
            proc_terminate($proc, 9);
        }
        proc_close($proc);
    }

    public function stopAll(): void
    {
        foreach (array_reverse(array_keys($this->procs)) as $name) {
            $this->stop($name);
        }
    }

    // --- the private database -------------------------------------------------------------------

    /** @var int */
    public $dbPort = 0;

    public function startDatabase(): void
    {
        $data = $this->dir . '/db';
        if (!is_dir("$data/mysql")) {
            @mkdir($data, 0777, true);
            exec(sprintf('mariadb-install-db --no-defaults --datadir=%s --auth-root-authentication-method=normal --skip-test-db --user=%s > %s 2>&1',
                escapeshellarg($data), escapeshellarg(get_current_user() === 'root' || posix_getuid() === 0 ? 'root' : get_current_user()),
                escapeshellarg($this->dir . '/db-install.log')), $out, $rc);
            if ($rc !== 0) {
                throw new RuntimeException('mariadb-install-db failed, see ' . $this->dir . '/db-install.log');
            }
        }
        if ($this->dbPort === 0) {
            $this->dbPort = self::freePort();
        }
        $this->start('mariadb', ['mariadbd', '--no-defaults', "--datadir=$data", '--socket=' . $this->dir . '/db.sock', "--port={$this->dbPort}",
            '--bind-address=127.0.0.1', '--user=' . (posix_getuid() === 0 ? 'root' : get_current_user()), '--skip-log-bin',
            '--innodb-buffer-pool-size=128M', '--max-connections=200', '--pid-file=' . $this->dir . '/db.pid'], $this->dir . '/db.log');
        self::waitFor(function (): bool {
            try {
                new PDO("mysql:host=127.0.0.1;port={$this->dbPort}", 'root', '', [PDO::ATTR_TIMEOUT => 1]);
                return true;
            } catch (PDOException $e) {
                return false;
            }
        }, 60, 'the private MariaDB');
    }

    public function pdo(string $db = 'robust'): PDO
    {
        return new PDO("mysql:host=127.0.0.1;port={$this->dbPort};dbname=$db", 'root', '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    }

    public function dsn(string $db = 'robust'): string
    {
        return "mysql://root@127.0.0.1:{$this->dbPort}/$db";
    }

    // --- PHP-FPM behind nginx ---------------------------------------------------------------------

    /** @var int */
    public $httpPort = 0;

    /** @param array<string, string> $ini dsgvo.* settings of the pool */
    public function startWeb(string $docroot, array $ini): void
    {
        $fpmPort = self::freePort();
        $this->httpPort = self::freePort();
        $values = '';
        foreach ($ini as $name => $value) {
            $values .= "php_value[$name] = \"$value\"\n";
        }
        file_put_contents($this->dir . '/fpm.conf', <<<CONF
[global]
error_log = {$this->dir}/fpm.log
log_level = notice
daemonize = no

[dsgvo]
listen = 127.0.0.1:$fpmPort
pm = static
pm.max_children = 4
pm.max_requests = 200
request_terminate_timeout = 20s
catch_workers_output = yes
$values
CONF);
        @unlink($this->dir . '/fpm.log');
        $user = posix_getuid() === 0 ? ['-R'] : [];
        // Debian's own php.ini and conf.d, as in a shop; the extension added on the command line, so the
        // master loads it (MINIT) and forks the workers: the case the runtime must survive.
        $this->start('php-fpm', array_merge(['php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, '-F', '-d', 'extension=' . $this->ext, '-d', 'display_errors=0', '-y', $this->dir . '/fpm.conf'], $user), $this->dir . '/fpm.out');
        $nginxUser = posix_getuid() === 0 ? 'user root;' : '';
        file_put_contents($this->dir . '/nginx.conf', <<<CONF
$nginxUser
daemon off;
worker_processes 2;
pid {$this->dir}/nginx.pid;
error_log {$this->dir}/nginx-error.log;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path {$this->dir}/nginx-body;
    fastcgi_temp_path {$this->dir}/nginx-fastcgi;
    proxy_temp_path {$this->dir}/nginx-proxy;
    uwsgi_temp_path {$this->dir}/nginx-uwsgi;
    scgi_temp_path {$this->dir}/nginx-scgi;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:{$this->httpPort};
        root $docroot;
        location ~ \\.php$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_pass 127.0.0.1:$fpmPort;
        }
    }
}
CONF);
        $this->start('nginx', ['nginx', '-c', $this->dir . '/nginx.conf', '-e', $this->dir . '/nginx-error.log'], $this->dir . '/nginx.out');
        $port = $this->httpPort;
        self::waitFor(function () use ($port): bool {
            $body = @file_get_contents("http://127.0.0.1:$port/endpoint.php?op=none");
            return $body !== false || (isset($http_response_header[0]) && strpos($http_response_header[0], '404') !== false);
        }, 20, 'nginx and PHP-FPM');
    }

    public function fpmLog(): string
    {
        return (string) @file_get_contents($this->dir . '/fpm.log');
    }

    // --- load ---------------------------------------------------------------------------------------

    /**
     * Sends requests from $concurrency connections until $next returns null. $next gives
     * [url, post body or null, tag]; $done gets (tag, status, body, seconds, start time).
     */
    public static function load(int $concurrency, callable $next, callable $done): void
    {
        $multi = curl_multi_init();
        $handles = [];
        $start = function () use ($multi, $next, &$handles): bool {
            $request = $next();
            if ($request === null) {
                return false;
            }
            [$url, $post, $tag] = $request;
            $h = curl_init($url);
            curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30, CURLOPT_FORBID_REUSE => false]);
            if ($post !== null) {
                curl_setopt($h, CURLOPT_POST, true);
                curl_setopt($h, CURLOPT_POSTFIELDS, $post);
            }
            curl_multi_add_handle($multi, $h);
            $handles[(int) $h] = [$h, $tag, microtime(true)];
            return true;
        };
        for ($i = 0; $i < $concurrency; $i++) {
            if (!$start()) {
                break;
            }
        }
        while ($handles) {
            curl_multi_exec($multi, $running);
            curl_multi_select($multi, 0.05);
            while ($info = curl_multi_info_read($multi)) {
                $h = $info['handle'];
                [, $tag, $t0] = $handles[(int) $h];
                unset($handles[(int) $h]);
                $done($tag, (int) curl_getinfo($h, CURLINFO_RESPONSE_CODE), (string) curl_multi_getcontent($h), microtime(true) - $t0, $t0);
                curl_multi_remove_handle($multi, $h);
                curl_close($h);
                $start();
            }
        }
        curl_multi_close($multi);
    }

    /** @param list<float> $seconds */
    public static function percentiles(array $seconds): string
    {
        sort($seconds);
        $n = count($seconds);
        if ($n === 0) {
            return 'no requests';
        }
        $at = function (float $p) use ($seconds, $n): float {
            return $seconds[min($n - 1, (int) floor($p * ($n - 1)))] * 1000;
        };
        return sprintf('p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms', $at(0.5), $at(0.9), $at(0.99), $seconds[$n - 1] * 1000);
    }

    public function check(bool $ok, string $what): void
    {
        printf("  [%s] %s\n", $ok ? 'ok' : 'FAIL', $what);
        if (!$ok) {
            $this->failures[] = $what;
        }
    }
}
