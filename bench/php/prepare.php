<?php

// Prepares a writable bench app base path with a .env of KEY=VALUE pairs and a cached
// config (config:cache, as in production). Usage: php prepare.php BASE_PATH KEY=VALUE...

declare(strict_types=1);

require __DIR__.'/../bootstrap.php';

$env = [];
foreach (array_slice($argv, 2) as $kv) {
    [$k, $v] = explode('=', $kv, 2);
    $env[$k] = $v;
}
O365\Bench\App::prepare($argv[1], $env);
O365\Bench\App::cacheConfig($argv[1]);
