<?php
/**
 * dsgvo admin page: find a customer, see the send decisions with their reasons, the consent history with
 * its proof, objections, send log and tags; download the export; erase; purge by the retention settings;
 * the request log, the tag rules with the counts of their last run.
 * Front controller: ?page=search|customer|export|erase|retention|requests|tags|login|logout.
 *
 * Demo:   DSGVO_DSN=mysql://root@127.0.0.1:3306/shop DSGVO_SECRET=... DSGVO_ADMIN_PASSWORD=... \
 *           php -d extension=dsgvo.so -S 127.0.0.1:8090 -t examples/admin
 * In a shop: see README.md (mount in the admin folder, configuration with the shop's own login).
 *
 * Rules kept by every page: GET changes nothing; every POST carries the session's CSRF token; every value is
 * escaped; errors of the extension are shown as their message, anything else only in the server's error log.
 */
declare(strict_types=1);

require __DIR__ . '/lib/app.php';
require __DIR__ . '/lib/http.php';
require __DIR__ . '/lib/auth.php';
require __DIR__ . '/lib/view.php';
require __DIR__ . '/lib/reasons.php';
require __DIR__ . '/lib/router.php';
foreach (['login', 'search', 'customer', 'export', 'erase', 'retention', 'requests', 'tags'] as $dsgvoAdminPage) {
    require __DIR__ . "/pages/$dsgvoAdminPage.php";
}

if (!extension_loaded('dsgvo')) {
    http_response_code(500);
    header('Content-Type: text/plain; charset=utf-8');
    echo "The dsgvo extension is not loaded into this PHP (extension=dsgvo in php.ini).\n";
    return;
}

// The configuration is included here, at the top level of the script and not inside a function, so that a
// shop's configuration file can include the shop's admin bootstrap, whose variables must be global.
try {
    $dsgvoAdminConfig = require DsgvoAdmin\config_path();
    $dsgvoAdminLoad = static function () use ($dsgvoAdminConfig): DsgvoAdmin\App {
        return DsgvoAdmin\App::fromConfig($dsgvoAdminConfig);
    };
} catch (Throwable $dsgvoAdminError) {
    $dsgvoAdminLoad = static function () use ($dsgvoAdminError): DsgvoAdmin\App {
        throw $dsgvoAdminError;
    };
}
DsgvoAdmin\run($dsgvoAdminLoad);
