<?php
declare(strict_types=1);

// PHPUnit bootstrap: the suite tests the built extension, so it refuses to run without it.
if (!extension_loaded('dsgvo')) {
    fwrite(STDERR, "The dsgvo extension is not loaded. Run the suite with scripts/test, or:\n"
        . "  php -d extension=\$PWD/target/release/libdsgvo.so /usr/bin/phpunit\n");
    exit(2);
}

require __DIR__ . '/support/TestDatabase.php';
require __DIR__ . '/support/Php.php';
require __DIR__ . '/support/ShopSchemas.php';
require __DIR__ . '/support/Tokens.php';
require __DIR__ . '/support/Shop.php';
require __DIR__ . '/support/Filler.php';
require __DIR__ . '/support/ShopRows.php';
