<?php

// php-fpm entry of the bench app (nginx passes this file as SCRIPT_FILENAME); the
// writable base path comes from the pool's env[O365_BENCH_BASE].

declare(strict_types=1);

require __DIR__.'/../../bootstrap.php';

$app = O365\Bench\App::make((string) getenv('O365_BENCH_BASE'));
$kernel = $app->make(Illuminate\Contracts\Http\Kernel::class);
$response = $kernel->handle($request = Illuminate\Http\Request::capture());
$response->send();
$kernel->terminate($request, $response);
