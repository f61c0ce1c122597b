<?php

return [
    'default' => 'single',
    'channels' => [
        'single' => ['driver' => 'single', 'path' => env('FLEET_LOG', storage_path('logs/laravel.log')), 'level' => 'warning'],
    ],
];
