<?php

// Boots the fleet bench's Laravel app (Laravel 10 test bed + the project's o365 package)
// with its base path from FLEET_BASE (a copy of bench/fleet/app made by run.sh).

declare(strict_types=1);

$project = dirname(__DIR__, 2);
require_once $project.'/.build/laravel10/root/usr/share/php/Illuminate/autoload.php';
require_once $project.'/vendor/autoload.php';
spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'O365\\Bench\\Fleet\\')) {
        require __DIR__.'/src/'.substr($class, strlen('O365\\Bench\\Fleet\\')).'.php';
    }
});

$app = new Illuminate\Foundation\Application(getenv('FLEET_BASE') ?: throw new RuntimeException('FLEET_BASE is not set'));
$app->singleton(Illuminate\Contracts\Console\Kernel::class, Illuminate\Foundation\Console\Kernel::class);
$app->singleton(Illuminate\Contracts\Debug\ExceptionHandler::class, Illuminate\Foundation\Exceptions\Handler::class);

return $app;
