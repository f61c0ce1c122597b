<?php

return [
    'default' => 'none',
    'connections' => [],
    'redis' => [
        'client' => 'phpredis',
        'options' => ['prefix' => ''],
        'default' => ['host' => env('FLEET_REDIS_HOST', '127.0.0.1'), 'port' => (int) env('FLEET_QUEUE_REDIS_PORT', 6379), 'database' => 0],
        'limiter' => ['host' => env('FLEET_REDIS_HOST', '127.0.0.1'), 'port' => (int) env('FLEET_LIMITER_REDIS_PORT', 6380), 'database' => 0],
        // The cluster phase's limiter: a 3-primary/3-replica Redis Cluster, as an app lists it
        // (FLEET_CLUSTER_NODES: host:port,host:port,...; its seeds become redis+cluster://).
        'clusters' => [
            'limiter_cluster' => array_map(
                static fn (string $node) => ['host' => explode(':', $node)[0], 'port' => (int) explode(':', $node)[1], 'database' => 0],
                array_filter(explode(',', (string) env('FLEET_CLUSTER_NODES', '')))
            ),
        ],
    ],
];
