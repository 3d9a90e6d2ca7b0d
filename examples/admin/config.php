<?php
/**
 * Configuration of the dsgvo admin page. A shop replaces this file by pointing the environment variable
 * DSGVO_ADMIN_CONFIG at its own file, which returns an array with the same keys:
 *
 *   store      fn (): Dsgvo\Store    builds the store (called at most once per request)
 *   authorize  fn (): ?string        the name of the signed-in administrator, or null when nobody is
 *   login      'password'            the built-in login form (password from DSGVO_ADMIN_PASSWORD), or
 *              'https://...'         the shop's own admin login: where to send someone not signed in, or
 *              null                  answer 403 to someone not signed in
 *
 * index.php includes this file at the top level of the script, so a shop's configuration may include the
 * shop's own admin bootstrap (includes/application_top.php) here; see README.md.
 *
 * This default configuration reads the environment:
 *   DSGVO_DSN                mysql://user:password@host:3306/database  (else php.ini dsgvo.dsn)
 *   DSGVO_SHOP               oscommerce | zencart | modified | gambio    (else php.ini dsgvo.shop, else oscommerce)
 *   DSGVO_SHOP_TABLE_PREFIX  e.g. zen_                                  (else php.ini dsgvo.shop_table_prefix)
 *   DSGVO_SECRET             the shop's dsgvo secret                    (else php.ini dsgvo.secret)
 *   DSGVO_ADMIN_PASSWORD     the password of the built-in login form (required: the page refuses to run without it)
 *   DSGVO_ADMIN_TRUSTED_PROXIES     comma-separated addresses of TLS-terminating proxies in front of PHP, e.g.
 *                                   127.0.0.1: their X-Forwarded-Proto: https makes the session cookie Secure,
 *                                   their X-Forwarded-For names the client for the sign-in limits
 *   DSGVO_ADMIN_SECURE_COOKIE       1: the session cookie is always Secure (the page is only reached over HTTPS)
 *   DSGVO_ADMIN_LOGIN_ATTEMPTS_DIR  where failed sign-ins are counted (default: a private directory in the
 *                                   system's temporary directory)
 *
 * Optional keys, all with these defaults when absent:
 *   trusted_proxies     list of IP addresses (or a comma-separated string)     []
 *   secure_cookie       bool                                                    false (Secure when HTTPS is seen)
 *   login_attempts_dir  string                                                  null (the default directory)
 */
declare(strict_types=1);

return [
    'store' => static function (): Dsgvo\Store {
        $options = [];
        foreach (['dsn' => 'DSGVO_DSN', 'shop_table_prefix' => 'DSGVO_SHOP_TABLE_PREFIX', 'secret' => 'DSGVO_SECRET'] as $option => $variable) {
            $value = getenv($variable);
            if (is_string($value) && ($value !== '' || $option === 'shop_table_prefix')) {
                $options[$option] = $value;
            }
        }
        // The shop preset: the environment, else php.ini, else osCommerce (finding customers needs a preset).
        $shop = getenv('DSGVO_SHOP');
        if (!is_string($shop) || $shop === '') {
            $ini = (string) ini_get('dsgvo.shop');
            $shop = $ini !== '' && $ini !== 'none' ? $ini : 'oscommerce';
        }
        $options['shop'] = $shop;
        return new Dsgvo\Store($options);
    },

    'authorize' => static function (): ?string {
        return DsgvoAdmin\PasswordLogin::user();
    },

    'login' => 'password',

    'trusted_proxies' => (string) getenv('DSGVO_ADMIN_TRUSTED_PROXIES'),
    'secure_cookie' => getenv('DSGVO_ADMIN_SECURE_COOKIE') === '1',
    'login_attempts_dir' => ((string) getenv('DSGVO_ADMIN_LOGIN_ATTEMPTS_DIR')) ?: null,
];
