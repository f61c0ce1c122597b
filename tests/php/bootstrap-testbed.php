<?php

// Loads the Laravel test bed extracted by scripts/setup.sh (never bookworm's own
// /usr/share/php Symfony), then the project's Composer autoloader.

declare(strict_types=1);

$project = dirname(__DIR__, 2);
$bed = getenv('O365_TESTBED') ?: $project.'/.build/laravel10/root';
$php = $bed.'/usr/share/php';
if (!is_file($php.'/Illuminate/autoload.php')) {
    fwrite(STDERR, "Laravel test bed not found at $bed: run scripts/setup.sh\n");
    exit(2);
}
// Laravel 13's test bed targets PHP 8.4: its polyfills must load before the framework.
foreach (['Symfony/Polyfill/Php83', 'Symfony/Polyfill/Php84'] as $polyfill) {
    if (is_file("$php/$polyfill/autoload.php")) {
        require_once "$php/$polyfill/autoload.php";
    }
}
require_once $php.'/Illuminate/autoload.php';
require_once $project.'/vendor/autoload.php';
