<?php
/** The session, the built-in password login and the CSRF token. */
declare(strict_types=1);

namespace DsgvoAdmin;

const SESSION_KEY = 'dsgvo_admin';

/**
 * Starts the session, unless the shop's own admin bootstrap already did (then its session is used and this
 * page keeps its values under $_SESSION['dsgvo_admin']).
 *
 * The cookie is Secure when the request came over HTTPS: seen by PHP itself, or reported by a trusted
 * TLS-terminating proxy (X-Forwarded-Proto: https from an address in the configuration's 'trusted_proxies'),
 * or always when the configuration's 'secure_cookie' is true.
 */
function start_session(?App $app = null): void
{
    if (session_status() === PHP_SESSION_ACTIVE) {
        return;
    }
    $secure = request_is_https($app !== null ? $app->trustedProxies : []) || ($app !== null && $app->secureCookie);
    $path = rtrim(str_replace('\\', '/', dirname($_SERVER['SCRIPT_NAME'] ?? '/')), '/') . '/';
    session_name('DSGVOADMIN');
    session_set_cookie_params(['lifetime' => 0, 'path' => $path, 'secure' => $secure, 'httponly' => true, 'samesite' => 'Strict']);
    ini_set('session.use_strict_mode', '1');
    ini_set('session.use_only_cookies', '1');
    session_cache_limiter('');
    if (!session_start()) {
        throw new SetupError('The PHP session could not be started (session.save_path writable?).');
    }
    if (!isset($_SESSION[SESSION_KEY]) || !is_array($_SESSION[SESSION_KEY])) {
        $_SESSION[SESSION_KEY] = [];
    }
}

/** Whether the request came from one of the trusted proxies (exact addresses). */
function from_trusted_proxy(array $trustedProxies): bool
{
    return in_array((string) ($_SERVER['REMOTE_ADDR'] ?? ''), $trustedProxies, true);
}

/**
 * Whether the browser talked HTTPS: PHP sees it ($_SERVER['HTTPS']), or a trusted proxy says so in
 * X-Forwarded-Proto (its first value). The header of anyone else is ignored: it is the client's to forge.
 *
 * @param list<string> $trustedProxies
 */
function request_is_https(array $trustedProxies): bool
{
    $https = (string) ($_SERVER['HTTPS'] ?? '');
    if ($https !== '' && strtolower($https) !== 'off') {
        return true;
    }
    if (!from_trusted_proxy($trustedProxies)) {
        return false;
    }
    $proto = explode(',', (string) ($_SERVER['HTTP_X_FORWARDED_PROTO'] ?? ''))[0];
    return strtolower(trim($proto)) === 'https';
}

/**
 * The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the nearest address in
 * X-Forwarded-For that is not itself a trusted proxy (the one the proxy saw).
 *
 * @param list<string> $trustedProxies
 */
function client_address(array $trustedProxies): string
{
    $remote = (string) ($_SERVER['REMOTE_ADDR'] ?? '');
    if (!from_trusted_proxy($trustedProxies)) {
        return $remote;
    }
    $hops = array_reverse(array_map('trim', explode(',', (string) ($_SERVER['HTTP_X_FORWARDED_FOR'] ?? ''))));
    foreach ($hops as $hop) {
        if (filter_var($hop, FILTER_VALIDATE_IP) === false) {
            break;
        }
        if (!in_array($hop, $trustedProxies, true)) {
            return $hop;
        }
    }
    return $remote;
}

/**
 * Failed sign-ins, counted per client address and per account in small files (one per key, under flock), so
 * that guessing is stopped without holding a PHP worker: a locked-out request is answered at once with 429.
 *
 * An address is locked for LOCKOUT seconds after ADDRESS_LIMIT failures within WINDOW seconds; the account
 * after ACCOUNT_LIMIT failures within WINDOW from any addresses (guessing spread over many addresses). While
 * locked, even the right password is refused, and is not even compared. A successful sign-in clears both
 * counters. Every failure, lockout and success is written to the error log, without the password.
 */
final class LoginThrottle
{
    public const WINDOW = 900;
    public const LOCKOUT = 900;
    public const ADDRESS_LIMIT = 5;
    public const ACCOUNT_LIMIT = 20;

    /** @var string */
    private $dir;

    public function __construct(string $dir)
    {
        if (!is_dir($dir) && !@mkdir($dir, 0700, true) && !is_dir($dir)) {
            throw new SetupError('The directory for the sign-in attempt counters cannot be created (login_attempts_dir).');
        }
        if (!is_writable($dir)) {
            throw new SetupError('The directory for the sign-in attempt counters is not writable (login_attempts_dir).');
        }
        $this->dir = $dir;
    }

    /** The default place: a private directory under the system's temporary directory, one per installation. */
    public static function defaultDir(): string
    {
        $user = function_exists('posix_geteuid') ? (string) posix_geteuid() : get_current_user();
        return sys_get_temp_dir() . '/dsgvo-admin-logins-' . substr(hash('sha256', dirname(__DIR__) . "\0" . $user), 0, 16);
    }

    /** Seconds until the sign-in is allowed again for this address and account; 0 when it is allowed now. */
    public function lockedFor(string $address, string $account): int
    {
        $now = time();
        $left = 0;
        foreach ([$this->key('address', $address), $this->key('account', $account)] as $key) {
            $this->update($key, function (array $state) use ($now, &$left): array {
                $left = max($left, (int) ($state['locked_until'] ?? 0) - $now);
                return $state;
            });
        }
        return max(0, $left);
    }

    /** Counts a failure; returns the seconds of the lockout it started, or 0. */
    public function failed(string $address, string $account): int
    {
        $now = time();
        $locked = 0;
        foreach ([[$this->key('address', $address), self::ADDRESS_LIMIT], [$this->key('account', $account), self::ACCOUNT_LIMIT]] as [$key, $limit]) {
            $this->update($key, function (array $state) use ($now, $limit, &$locked): array {
                if ($now - (int) ($state['since'] ?? 0) > self::WINDOW) {
                    $state = ['since' => $now, 'failures' => 0, 'locked_until' => (int) ($state['locked_until'] ?? 0)];
                }
                $state['failures'] = (int) ($state['failures'] ?? 0) + 1;
                if ($state['failures'] >= $limit) {
                    $state['locked_until'] = $now + self::LOCKOUT;
                    $state['failures'] = 0;
                    $state['since'] = $now;
                    $locked = self::LOCKOUT;
                }
                return $state;
            });
        }
        return $locked;
    }

    public function succeeded(string $address, string $account): void
    {
        foreach ([$this->key('address', $address), $this->key('account', $account)] as $key) {
            $this->update($key, function (array $state): array {
                return [];
            });
        }
    }

    private function key(string $kind, string $value): string
    {
        return $this->dir . '/' . $kind . '-' . substr(hash('sha256', $value), 0, 32);
    }

    /** Reads, changes and writes one counter under an exclusive lock. */
    private function update(string $path, callable $change): void
    {
        $handle = @fopen($path, 'c+');
        if ($handle === false) {
            throw new SetupError('A sign-in attempt counter cannot be opened (login_attempts_dir writable?).');
        }
        try {
            flock($handle, LOCK_EX);
            $state = json_decode((string) stream_get_contents($handle), true);
            $state = is_array($state) ? $state : [];
            $new = $change($state);
            if ($new !== $state) {
                ftruncate($handle, 0);
                rewind($handle);
                fwrite($handle, (string) json_encode($new));
                fflush($handle);
            }
        } finally {
            flock($handle, LOCK_UN);
            fclose($handle);
        }
    }
}

/** One line in the error log about a sign-in; never the password. */
function log_login(string $what, string $account, string $address): void
{
    error_log(sprintf('dsgvo admin: %s (account %s, address %s)', $what, $account, $address === '' ? '-' : $address));
}

/** The example's login: one password from the environment, compared in constant time. */
final class PasswordLogin
{
    /** The one account of the built-in login, as the sign-in limits and the log name it. */
    public const ACCOUNT = 'admin';

    /** DSGVO_ADMIN_PASSWORD; the page refuses to run without it. */
    public static function password(): string
    {
        $password = getenv('DSGVO_ADMIN_PASSWORD');
        if (!is_string($password) || $password === '') {
            throw new SetupError('DSGVO_ADMIN_PASSWORD is not set. The built-in login needs it: set the environment '
                . 'variable for the web server (for php -S: DSGVO_ADMIN_PASSWORD=... php -S ...), or give the page '
                . "the shop's own login with a configuration file named by DSGVO_ADMIN_CONFIG (see README.md).");
        }
        return $password;
    }

    /** The signed-in user, or null. */
    public static function user(): ?string
    {
        self::password();
        $user = $_SESSION[SESSION_KEY]['user'] ?? null;
        return is_string($user) ? $user : null;
    }

    public static function attempt(string $given): bool
    {
        // Hashes of equal length, so the comparison tells nothing about the password's length either.
        if (!hash_equals(hash('sha256', self::password()), hash('sha256', $given))) {
            return false;
        }
        session_regenerate_id(true);        // no session fixation
        $_SESSION[SESSION_KEY] = ['user' => self::ACCOUNT];
        return true;
    }

    public static function logout(): void
    {
        $_SESSION[SESSION_KEY] = [];
        session_regenerate_id(true);
    }
}

/** One random token per session; every POST must carry it. */
final class Csrf
{
    public const FIELD = 'csrf';

    public static function token(): string
    {
        $token = $_SESSION[SESSION_KEY]['csrf'] ?? null;
        if (!is_string($token) || strlen($token) !== 64) {
            $token = bin2hex(random_bytes(32));
            $_SESSION[SESSION_KEY]['csrf'] = $token;
        }
        return $token;
    }

    public static function valid(string $given): bool
    {
        $token = $_SESSION[SESSION_KEY]['csrf'] ?? null;
        return is_string($token) && strlen($token) === 64 && hash_equals($token, $given);
    }
}
