<?php

return [
    'default' => 'none',
    'connections' => [],
    'redis' => [
        'client' => 'phpredis',
        'options' => ['prefix' => ''],
        'default' => ['host' => env('FLEET_REDIS_HOST', '127.0.0.1'), 'port' => (int) env('FLEET_QUEUE_REDIS_PORT', 6379), 'database' => 0],
        'limiter' => ['host' => env('FLEET_REDIS_HOST', '127.0.0.1'), 'port' => (int) env('FLEET_LIMITER_REDIS_PORT', 6380), 'database' => 0],
    ],
];
