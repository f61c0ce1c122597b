<?php

// Loads the bench bed (Laravel 10 + Guzzle 7 from Debian trixie, built by bench/setup.sh),
// the project's Composer autoloader (the o365 package) and the bench's own classes.
// Never bookworm's /usr/share/php.

declare(strict_types=1);

$project = dirname(__DIR__);
$php = (getenv('O365_BENCH_BED') ?: $project.'/.build/bench/root').'/usr/share/php';
if (!is_file($php.'/Illuminate/autoload.php') || !is_file($php.'/GuzzleHttp/autoload.php')) {
    fwrite(STDERR, "bench bed not found under $php: run bench/setup.sh\n");
    exit(2);
}
require_once $php.'/Illuminate/autoload.php';
require_once $php.'/GuzzleHttp/autoload.php';
require_once $project.'/vendor/autoload.php';

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'O365\\Bench\\')) {
        $file = __DIR__.'/src/'.str_replace('\\', '/', substr($class, strlen('O365\\Bench\\'))).'.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
