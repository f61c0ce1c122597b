<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Mail\MailManager;
use Illuminate\Support\ServiceProvider;
use O365\Symfony\O365Transport;

/** Registers the `o365` mail transport and the o365:* Artisan commands. */
final class O365ServiceProvider extends ServiceProvider
{
    public function register(): void
    {
        $this->mergeConfigFrom(__DIR__.'/../../config/o365.php', 'o365');
    }

    public function boot(): void
    {
        if ($this->app->runningInConsole()) {
            $this->publishes([__DIR__.'/../../config/o365.php' => $this->app->configPath('o365.php')], 'o365-config');
            $this->commands([Console\CheckCommand::class, Console\SendTestCommand::class, Console\InstallCommand::class, Console\RestrictCommand::class]);
        }

        // Extend lazily: nothing (not even the extension check) runs until an o365 mailer is used.
        $this->callAfterResolving('mail.manager', function (MailManager $manager): void {
            $manager->extend('o365', fn (array $config) => new O365Transport(
                MailerFactory::make($config, (array) $this->app['config']->get('o365', [])),
            ));
        });
    }
}
