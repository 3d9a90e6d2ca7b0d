<?php
/** The configuration: where it is, what it must contain, and the one store of a request. */
declare(strict_types=1);

namespace DsgvoAdmin;

/** The page is set up wrongly (configuration, environment): answered with 500 and the message. */
final class SetupError extends \RuntimeException
{
}

/** The path of the configuration file: DSGVO_ADMIN_CONFIG, else config.php beside index.php. */
function config_path(): string
{
    $path = getenv('DSGVO_ADMIN_CONFIG');
    if (!is_string($path) || $path === '') {
        $path = dirname(__DIR__) . '/config.php';
    }
    if (!is_file($path) || !is_readable($path)) {
        throw new SetupError('The configuration file named by DSGVO_ADMIN_CONFIG does not exist or cannot be read.');
    }
    return $path;
}

final class App
{
    /** @var callable(): \Dsgvo\Store */
    private $storeFactory;
    /** @var callable(): ?string */
    public $authorize;
    /** @var string|null 'password', a login URL, or null */
    public $login;
    /** @var \Dsgvo\Store|null */
    private $store;
    /** @var string|null the signed-in administrator, once authorized */
    public $admin;
    /** @var list<string> addresses of TLS-terminating proxies whose X-Forwarded-Proto/-For are believed */
    public $trustedProxies = [];
    /** @var bool the session cookie is always Secure (the page is only ever reached over HTTPS) */
    public $secureCookie = false;
    /** @var string where the built-in login counts failed sign-ins */
    public $loginAttemptsDir = '';

    /** @param mixed $config what the configuration file returned */
    public static function fromConfig($config): self
    {
        if (!is_array($config)) {
            throw new SetupError('The configuration file must return an array with the keys store, authorize and login.');
        }
        foreach (['store', 'authorize'] as $key) {
            if (!isset($config[$key]) || !is_callable($config[$key])) {
                throw new SetupError("The configuration's '$key' must be a function (see config.php).");
            }
        }
        $login = $config['login'] ?? null;
        if ($login !== null && $login !== 'password' && !(is_string($login) && preg_match('~^(https?://|/)~', $login))) {
            throw new SetupError("The configuration's 'login' must be 'password', the URL of the shop's admin login, or null.");
        }
        $proxies = $config['trusted_proxies'] ?? [];
        if (is_string($proxies)) {
            $proxies = array_values(array_filter(array_map('trim', explode(',', $proxies)), 'strlen'));
        }
        if (!is_array($proxies) || array_filter($proxies, function ($p): bool {
            return !is_string($p) || filter_var($p, FILTER_VALIDATE_IP) === false;
        }) !== []) {
            throw new SetupError("The configuration's 'trusted_proxies' must be a list of IP addresses (or a comma-separated string of them).");
        }
        $secure = $config['secure_cookie'] ?? false;
        if (!is_bool($secure)) {
            throw new SetupError("The configuration's 'secure_cookie' must be true or false.");
        }
        $attempts = $config['login_attempts_dir'] ?? null;
        if ($attempts !== null && (!is_string($attempts) || $attempts === '')) {
            throw new SetupError("The configuration's 'login_attempts_dir' must be a directory path or null.");
        }
        $app = new self();
        $app->trustedProxies = array_values($proxies);
        $app->secureCookie = $secure;
        $app->loginAttemptsDir = $attempts ?? LoginThrottle::defaultDir();
        $app->storeFactory = $config['store'];
        $app->authorize = $config['authorize'];
        $app->login = $login;
        return $app;
    }

    public function store(): \Dsgvo\Store
    {
        if ($this->store === null) {
            $store = ($this->storeFactory)();
            if (!$store instanceof \Dsgvo\Store) {
                throw new SetupError("The configuration's 'store' function must return a Dsgvo\\Store.");
            }
            $this->store = $store;
        }
        return $this->store;
    }
}

/**
 * Values that must never reach a page: removed from any message before it is shown. The extension's own
 * messages already leave them out; this is a second guard for messages of the shop's configuration.
 *
 * @return list<string>
 */
function secrets(): array
{
    $values = [];
    foreach (['DSGVO_SECRET', 'DSGVO_ADMIN_PASSWORD'] as $variable) {
        $values[] = (string) getenv($variable);
    }
    foreach ([(string) getenv('DSGVO_DSN'), (string) ini_get('dsgvo.dsn')] as $dsn) {
        $password = parse_url($dsn, PHP_URL_PASS);
        if (is_string($password)) {
            $values[] = $password;
            $values[] = rawurldecode($password);
        }
    }
    $values[] = (string) ini_get('dsgvo.secret');
    return array_values(array_unique(array_filter($values, function (string $v): bool {
        return strlen($v) >= 4;
    })));
}

function redact(string $message): string
{
    foreach (secrets() as $secret) {
        $message = str_replace($secret, '(hidden)', $message);
    }
    return $message;
}
