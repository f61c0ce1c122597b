<?php

declare(strict_types=1);

namespace O365;

/**
 * The o365.so an ini file of this PHP enables although the extension is not loaded: PHP
 * refused it at startup (built for another PHP API or for ZTS, or the file is gone). Found
 * so that ExtensionMissingException can say which file, why, and how to rebuild it.
 */
final class EnabledBuild
{
    /** ZEND_MODULE_API_NO of each PHP version (a build loads only into its own). */
    private const APIS = ['8.2' => '20220829', '8.3' => '20230831', '8.4' => '20240924', '8.5' => '20250925'];

    private function __construct(
        public readonly string $ini,
        public readonly string $named,
        public readonly ?string $file,
        /** @var ?array{api: string, ts: string} what the .so was built for (its ZEND_MODULE_BUILD_ID) */
        public readonly ?array $builtFor,
    ) {
    }

    /** The first ini file (php.ini, then the scanned ones) with an uncommented extension line naming o365. */
    public static function find(): ?self
    {
        $scanned = php_ini_scanned_files();
        $inis = array_filter([php_ini_loaded_file() ?: '', ...explode(',', $scanned === false ? '' : $scanned)], static fn (string $f) => trim($f) !== '');
        foreach ($inis as $ini) {
            $ini = trim($ini);
            if (preg_match('/^\h*extension\h*=\h*["\']?([^"\'\s;]*o365[^"\'\s;]*)/mi', (string) @file_get_contents($ini), $m) === 1) {
                $file = self::resolve($m[1]);

                return new self($ini, $m[1], $file, $file === null ? null : self::buildId($file));
            }
        }

        return null;
    }

    /** Why PHP did not load it and how to rebuild it for this PHP. */
    public function message(): string
    {
        $here = sprintf('PHP %s (%s SAPI)', PHP_VERSION, PHP_SAPI);
        $rebuild = sprintf('Rebuild it for this PHP: in a checkout of o365-sendmail `PHP_CONFIG=%s make install` (or `pie install o365-sendmail/o365` run with this PHP), then restart PHP-FPM and check with `php -m | grep o365`.', self::phpConfig());
        if ($this->file === null) {
            return sprintf('%s does not have the o365 extension that %s enables (`extension=%s`): no such file in %s. Install it: in a checkout of o365-sendmail `PHP_CONFIG=%s make install` (or `pie install o365-sendmail/o365`), or remove that line.',
                $here, $this->ini, $this->named, (string) ini_get('extension_dir'), self::phpConfig());
        }
        $ours = self::APIS[PHP_MAJOR_VERSION.'.'.PHP_MINOR_VERSION] ?? null;
        $built = $this->builtFor;
        if ($built !== null && $built['api'] !== $ours) {
            $version = array_search($built['api'], self::APIS, true);
            $why = sprintf('it was built for %s (module API %s), and this PHP\'s module API is %s', $version === false ? 'another PHP version' : "PHP $version", $built['api'], $ours ?? 'another one');
        } elseif ($built !== null && ($built['ts'] === 'TS') !== (bool) PHP_ZTS) {
            $why = $built['ts'] === 'NTS'
                ? 'it was built for a non-thread-safe (NTS) PHP and this PHP is thread-safe (ZTS, e.g. FrankenPHP), which o365 does not support yet'
                : 'it was built for a thread-safe (ZTS) PHP and this PHP is NTS';
        } else {
            $why = 'built for another PHP version or system? PHP\'s startup warning says why';
        }

        return sprintf('%s did not load the o365 extension that %s enables (%s): %s. %s', $here, $this->ini, $this->file, $why, $rebuild);
    }

    /** The file PHP tries for an `extension=` value: a path as is, else in extension_dir, as named and with .so added. */
    private static function resolve(string $named): ?string
    {
        $dir = rtrim((string) ini_get('extension_dir'), '/');
        $candidates = str_contains($named, '/') ? [$named] : ["$dir/$named", "$dir/$named.so"];
        foreach ($candidates as $path) {
            if (is_file($path)) {
                return $path;
            }
        }

        return null;
    }

    /**
     * The ZEND_MODULE_BUILD_ID string every extension carries ("API20240924,NTS"), read in
     * chunks (a debug build is over 100 MB); null when the file holds none.
     *
     * @return ?array{api: string, ts: string}
     */
    private static function buildId(string $file): ?array
    {
        $h = @fopen($file, 'rb');
        if ($h === false) {
            return null;
        }
        $tail = '';
        try {
            while (!feof($h) && ($chunk = fread($h, 1 << 20)) !== false && $chunk !== '') {
                if (preg_match('/API(\d{8}),(NTS|TS)/', $tail.$chunk, $m) === 1) {
                    return ['api' => $m[1], 'ts' => $m[2]];
                }
                $tail = substr($chunk, -16);
            }
        } finally {
            fclose($h);
        }

        return null;
    }

    /** This PHP's php-config: beside the CLI binary, or Debian's versioned one (for PHP-FPM); else a description. */
    private static function phpConfig(): string
    {
        $version = PHP_MAJOR_VERSION.'.'.PHP_MINOR_VERSION;
        foreach ([preg_replace('/php([\d.]*)$/', 'php-config$1', PHP_BINARY), "/usr/bin/php-config$version"] as $config) {
            if (is_string($config) && $config !== PHP_BINARY && is_file($config)) {
                return $config;
            }
        }

        return "/path/to/php-config (of PHP $version; Debian/Ubuntu: apt-get install php$version-dev)";
    }
}
