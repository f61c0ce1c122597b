<?php

declare(strict_types=1);

namespace O365\Laravel;

/** Raised on first use of the `o365` mailer when the PHP extension is not loaded. */
final class ExtensionMissing extends \RuntimeException
{
    public static function create(): self
    {
        return new self(sprintf(
            'The o365 PHP extension is not loaded in this PHP (%s, %s). Build it with `cargo build --release -p o365`, '
            .'copy target/release/libo365.so to `%s`, and enable it with `extension=o365` in an ini file under %s '
            .'(for PHP-FPM too), then restart PHP. Check with `php -m | grep o365`.',
            PHP_VERSION,
            PHP_SAPI,
            (string) ini_get('extension_dir'),
            (string) (php_ini_scanned_files() !== false ? dirname(explode(',', (string) php_ini_scanned_files())[0]) : php_ini_loaded_file()),
        ));
    }
}
