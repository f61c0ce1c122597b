<?php

declare(strict_types=1);

namespace O365\Tests\Support;

use Illuminate\Foundation\Application;

/**
 * Boots a real Laravel application from tests/fixtures/laravel-app in a fresh temporary
 * base path. The package is found by Laravel's own package auto-discovery: the base
 * path gets a vendor/composer/installed.json that lists this project's composer.json.
 */
final class LaravelApp
{
    public static function basePath(): string
    {
        $project = dirname(__DIR__, 3);
        $base = sys_get_temp_dir().'/o365-laravel-'.getmypid().'-'.bin2hex(random_bytes(4));
        register_shutdown_function(static fn () => self::remove($base));
        self::copy($project.'/tests/fixtures/laravel-app', $base);
        foreach (['bootstrap/cache', 'storage/framework/views', 'storage/framework/cache', 'storage/logs', 'storage/app', 'vendor/composer'] as $dir) {
            @mkdir("$base/$dir", 0777, true);
        }
        $package = json_decode((string) file_get_contents($project.'/composer.json'), true, 512, JSON_THROW_ON_ERROR);
        file_put_contents("$base/vendor/composer/installed.json", json_encode(['packages' => [$package]], JSON_THROW_ON_ERROR));

        return $base;
    }

    /** A booted application (console kernel bootstrapped: config, facades, providers). */
    public static function create(?string $base = null): Application
    {
        $app = new Application($base ?? self::basePath());
        // The fixture's config/ is complete. Laravel 11+ would also merge the framework's
        // own config files, which Debian's forky package keeps where Laravel does not look.
        if (method_exists($app, 'dontMergeFrameworkConfiguration')) {
            $app->dontMergeFrameworkConfiguration();
        }
        $app->singleton(\Illuminate\Contracts\Console\Kernel::class, \Illuminate\Foundation\Console\Kernel::class);
        $app->singleton(\Illuminate\Contracts\Debug\ExceptionHandler::class, \Illuminate\Foundation\Exceptions\Handler::class);
        $app->make(\Illuminate\Contracts\Console\Kernel::class)->bootstrap();

        return $app;
    }

    private static function remove(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        foreach (new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::CHILD_FIRST) as $item) {
            $item->isDir() && !$item->isLink() ? @rmdir($item->getPathname()) : @unlink($item->getPathname());
        }
        @rmdir($dir);
    }

    private static function copy(string $from, string $to): void
    {
        @mkdir($to, 0777, true);
        foreach (new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($from, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST) as $item) {
            $target = $to.'/'.substr($item->getPathname(), strlen($from) + 1);
            $item->isDir() ? @mkdir($target, 0777, true) : copy($item->getPathname(), $target);
        }
    }
}
