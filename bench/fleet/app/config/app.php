<?php

use Illuminate\Support\ServiceProvider;

return [
    'name' => 'o365 fleet bench',
    'env' => 'production',
    'debug' => false,
    'url' => 'http://localhost',
    'timezone' => 'UTC',
    'locale' => 'en',
    'fallback_locale' => 'en',
    'key' => 'base64:'.base64_encode(str_repeat('f', 32)),
    'cipher' => 'AES-256-CBC',
    'providers' => ServiceProvider::defaultProviders()->merge([
        O365\Laravel\O365ServiceProvider::class,
        O365\Bench\Fleet\FleetServiceProvider::class,
    ])->toArray(),
    'aliases' => [],
];
