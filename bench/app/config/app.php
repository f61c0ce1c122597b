<?php

use Illuminate\Support\ServiceProvider;

return [
    'name' => 'o365 bench app',
    'env' => 'production',
    'debug' => (bool) env('APP_DEBUG', false),
    'url' => 'http://localhost',
    'timezone' => 'UTC',
    'locale' => 'en',
    'fallback_locale' => 'en',
    'key' => 'base64:'.base64_encode(str_repeat('b', 32)),
    'cipher' => 'AES-256-CBC',
    // The o365 package is auto-discovered; the baseline is registered like a userland package.
    'providers' => ServiceProvider::defaultProviders()->merge([
        O365\Bench\Baseline\GraphBaselineServiceProvider::class,
        O365\Bench\BenchServiceProvider::class,
    ])->toArray(),
    'aliases' => [],
];
