<?php
/** The session, the built-in password login and the CSRF token. */
declare(strict_types=1);

namespace DsgvoAdmin;

const SESSION_KEY = 'dsgvo_admin';

/**
 * Starts the session, unless the shop's own admin bootstrap already did (then its session is used and this
 * page keeps its values under $_SESSION['dsgvo_admin']).
 */
function start_session(): void
{
    if (session_status() === PHP_SESSION_ACTIVE) {
        return;
    }
    $https = ($_SERVER['HTTPS'] ?? '') !== '' && ($_SERVER['HTTPS'] ?? '') !== 'off';
    $path = rtrim(str_replace('\\', '/', dirname($_SERVER['SCRIPT_NAME'] ?? '/')), '/') . '/';
    session_name('DSGVOADMIN');
    session_set_cookie_params(['lifetime' => 0, 'path' => $path, 'secure' => $https, 'httponly' => true, 'samesite' => 'Strict']);
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

/** The example's login: one password from the environment, compared in constant time. */
final class PasswordLogin
{
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
        $_SESSION[SESSION_KEY] = ['user' => 'admin'];
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
