<?php

declare(strict_types=1);

namespace O365\Bench;

use Illuminate\Foundation\Application;

/** The bench Laravel app: prepares a writable base path from bench/app and boots it. */
final class App
{
    /** Copies bench/app to $base with Laravel's writable dirs and a package manifest. */
    public static function prepare(string $base, array $env): void
    {
        $project = dirname(__DIR__, 2);
        self::copy($project.'/bench/app', $base);
        foreach (['bootstrap/cache', 'storage/framework/views', 'storage/framework/cache/data', 'storage/logs', 'vendor/composer'] as $dir) {
            @mkdir("$base/$dir", 0777, true);
        }
        // Laravel's package auto-discovery finds the o365 package (as in a real install).
        $package = json_decode((string) file_get_contents($project.'/composer.json'), true, 512, JSON_THROW_ON_ERROR);
        file_put_contents("$base/vendor/composer/installed.json", json_encode(['packages' => [$package]], JSON_THROW_ON_ERROR));
        $lines = [];
        foreach ($env as $k => $v) {
            $lines[] = $k.'="'.addcslashes((string) $v, '"\\').'"';
        }
        file_put_contents("$base/.env", implode("\n", $lines)."\n");
    }

    /** What `php artisan config:cache` does, as a production deployment would. */
    public static function cacheConfig(string $base): void
    {
        $app = self::console($base);
        $file = $app->getCachedConfigPath();
        file_put_contents($file, '<?php return '.var_export($app['config']->all(), true).';'.PHP_EOL);
        $app->flush();
    }

    /** A fresh application on $base, with the HTTP and console kernels bound. */
    public static function make(string $base): Application
    {
        $app = new Application($base);
        $app->singleton(\Illuminate\Contracts\Http\Kernel::class, \Illuminate\Foundation\Http\Kernel::class);
        $app->singleton(\Illuminate\Contracts\Console\Kernel::class, \Illuminate\Foundation\Console\Kernel::class);
        $app->singleton(\Illuminate\Contracts\Debug\ExceptionHandler::class, \Illuminate\Foundation\Exceptions\Handler::class);

        return $app;
    }

    /** A fresh application, bootstrapped as a console command would be. */
    public static function console(string $base): Application
    {
        $app = self::make($base);
        $app->make(\Illuminate\Contracts\Console\Kernel::class)->bootstrap();

        return $app;
    }

    private static function copy(string $from, string $to): void
    {
        @mkdir($to, 0777, true);
        $items = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($from, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST);
        foreach ($items as $item) {
            $target = $to.'/'.substr($item->getPathname(), strlen($from) + 1);
            $item->isDir() ? @mkdir($target, 0777, true) : copy($item->getPathname(), $target);
        }
    }
}
