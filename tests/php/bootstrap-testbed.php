<?php

// Loads the Laravel test bed, then the project's Composer autoloader. O365_TESTBED is
// the root holding the bed's usr/share/php: .build/laravel10/root on the host (Laravel 10
// extracted by scripts/setup.sh; never bookworm's own /usr/share/php Symfony), or `/` in
// the Debian forky root, where apt installed Laravel 13 for PHP 8.4 / 8.5 (scripts/root.sh).

declare(strict_types=1);

$project = dirname(__DIR__, 2);
$bed = getenv('O365_TESTBED') ?: $project.'/.build/laravel10/root';
$php = rtrim($bed, '/').'/usr/share/php';
if (!is_file($php.'/Illuminate/autoload.php')) {
    fwrite(STDERR, "Laravel test bed not found at $bed: run scripts/setup.sh\n");
    exit(2);
}
require_once $php.'/Illuminate/autoload.php';
// Symfony Messenger, where the bed has it (the forky root: php-symfony-messenger), before any
// package class: O365\Symfony\OutcomeUnknownTransportException implements Messenger's
// interface only if it exists when the class is loaded, as in an application.
if (is_file($php.'/Symfony/Component/Messenger/autoload.php')) {
    require_once $php.'/Symfony/Component/Messenger/autoload.php';
}
require_once $project.'/vendor/autoload.php';
