<?php

// Every mail goes from its own mailbox (the envelope sender), through the emulator.
return [
    'default' => 'o365',
    'mailers' => [
        'o365' => [
            'transport' => 'o365',
            'tenant_id' => 'contoso.onmicrosoft.com',
            'client_id' => '00000000-0000-0000-0000-000000000001',
            'client_secret' => 'emulator-secret',
            'login_endpoint' => env('FLEET_EMULATOR'),
            'graph_endpoint' => env('FLEET_EMULATOR'),
            // A slot's lease is 2 x timeout: 10 s after a SIGKILL at most.
            'timeout' => (int) env('FLEET_TIMEOUT', 5),
            'deadline' => (int) env('FLEET_DEADLINE', 20),
            'max_retries' => (int) env('FLEET_MAX_RETRIES', 3),
            // The shared limiter, on its own Redis (the queue's Redis stays up in the
            // "Redis down" fault run), or on the Redis Cluster of `redis.clusters` (the
            // cluster phase); unset: per-process limits only.
            'redis_connection' => match ((string) env('FLEET_LIMITER')) {
                '' => null,
                'cluster' => 'limiter_cluster',
                default => 'limiter',
            },
        ],
    ],
    'from' => ['address' => 'm1@contoso.com', 'name' => 'Fleet'],
];
