<?php

return [
    'default' => 'redis',
    'connections' => [
        // retry_after: a job whose worker died (SIGKILL) comes back after this many seconds.
        'redis' => ['driver' => 'redis', 'connection' => 'default', 'queue' => 'fleet', 'retry_after' => (int) env('FLEET_RETRY_AFTER', 20), 'block_for' => 1, 'after_commit' => false],
    ],
    'failed' => ['driver' => 'null'],
];
