<?php

declare(strict_types=1);

namespace O365;

/** Raised on first use of an o365 transport (not at boot) when the PHP extension is not loaded. */
final class ExtensionMissingException extends \RuntimeException
{
    public static function check(): void
    {
        if (!extension_loaded('o365')) {
            throw self::create();
        }
    }

    public static function create(): self
    {
        // An ini enables it, so PHP refused the file at startup: say which and why.
        $enabled = EnabledBuild::find();
        if ($enabled !== null) {
            return new self($enabled->message());
        }
        $scanned = php_ini_scanned_files();
        $iniDir = $scanned !== false && $scanned !== ''
            ? dirname(trim(explode(',', $scanned)[0]))
            : (php_ini_loaded_file() ?: 'your php.ini');

        return new self(sprintf(
            'The o365 PHP extension is not loaded in this PHP (%1$s, %2$s SAPI), so the o365 mail transport cannot send. '
            .'Fix, easiest first: `pie install o365-sendmail/o365` (PIE installs the prebuilt o365.so for PHP %5$d.%6$d if the release has one, else builds it); '
            .'or, in a checkout of o365-sendmail, `make install` (builds for the php-config in PATH, or PHP_CONFIG=/path/to/php-config, installs it into %3$s and enables it) '
            .'or `cd pie && phpize && ./configure && make && make install`; '
            .'or by hand: build it with `cargo build --release -p o365`, copy target/release/libo365.so to %3$s/o365.so, '
            .'add an ini file with the line `extension=o365` (here: %4$s; on Debian/Ubuntu put it in '
            .'/etc/php/%5$d.%6$d/mods-available/o365.ini and run `phpenmod o365`, which enables it for the CLI and PHP-FPM). '
            .'Building needs Rust (https://rustup.rs), clang and this PHP\'s development files (php%5$d.%6$d-dev). '
            .'Then restart PHP-FPM and check with `php -m | grep o365`.',
            PHP_VERSION,
            PHP_SAPI,
            (string) ini_get('extension_dir'),
            $iniDir,
            PHP_MAJOR_VERSION,
            PHP_MINOR_VERSION,
        ));
    }
}

// The deprecated old name, defined with the class so that `catch (ExtensionMissing $e)`
// matches (a catch never autoloads): see Symfony/ExtensionMissing.php.
class_alias(ExtensionMissingException::class, 'O365\Symfony\ExtensionMissing');
