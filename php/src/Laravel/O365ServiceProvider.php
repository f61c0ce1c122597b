<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Mail\Events\MessageSending;
use Illuminate\Mail\MailManager;
use Illuminate\Queue\Events\JobExceptionOccurred;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\Events\JobProcessed;
use Illuminate\Queue\Events\JobProcessing;
use Illuminate\Queue\Events\JobReleasedAfterException;
use Illuminate\Support\ServiceProvider;
use Psr\Log\LoggerInterface;
use Symfony\Component\Mailer\Transport\TransportInterface;

/**
 * Registers the `o365` mail transport (and migration aliases), the o365:* Artisan
 * commands, and the queue listeners: throttled mail released for Graph's Retry-After,
 * one Message-ID per queued mail across attempts, unknown outcomes failed, not retried.
 */
final class O365ServiceProvider extends ServiceProvider
{
    public function register(): void
    {
        $this->mergeConfigFrom(__DIR__.'/../../config/o365.php', 'o365');
        // One factory per application, configured once: the o365 mailers and the o365:*
        // commands take their extension config from it (O365\Laravel\MailerFactory).
        $this->app->singleton(MailerFactory::class, static fn ($app) => MailerFactory::fromConfig($app['config'], $app->make(LoggerInterface::class)));
    }

    public function boot(): void
    {
        if ($this->app->runningInConsole()) {
            $this->publishes([__DIR__.'/../../config/o365.php' => $this->app->configPath('o365.php')], 'o365-config');
            $this->commands([Console\CheckCommand::class, Console\SendTestCommand::class, Console\InstallCommand::class, Console\RestrictCommand::class]);
        }

        // Throttled queued mail waits for Graph's Retry-After (see Queue\ReleaseThrottledJobs).
        $events = $this->app['events'];
        $events->listen(JobExceptionOccurred::class, [Queue\ReleaseThrottledJobs::class, 'handle']);
        // Never twice: a retried job's mail keeps its Message-ID (the sender's ledger knows
        // it), and one whose outcome is unknown is failed unless exactly_once settles it.
        $events->listen(JobExceptionOccurred::class, [Queue\FailUnknownOutcomes::class, 'handle']);
        $ids = new Queue\StableMessageIds();
        $events->listen(JobProcessing::class, static fn (JobProcessing $e) => $ids->started($e->job));
        $events->listen([JobProcessed::class, JobFailed::class, JobReleasedAfterException::class], static fn () => $ids->ended());
        $events->listen(MessageSending::class, [$ids, 'sending']);

        // Extend lazily: nothing (not even the extension check) runs until an o365 mailer is used.
        $this->callAfterResolving('mail.manager', function (MailManager $manager): void {
            $manager->extend('o365', fn (#[\SensitiveParameter] array $config) => $this->transport($config));
            foreach (Migration::aliasesToRegister($manager) as $alias) {
                $manager->extend($alias, fn (#[\SensitiveParameter] array $config) => $this->transport($config));
            }
        });
    }

    /** Transport names this package serves: `o365` and the migration aliases. */
    public static function transports(): array
    {
        return ['o365', ...Migration::ALIASES];
    }

    /** A transport for a mailer entry, from the application's MailerFactory. */
    private function transport(#[\SensitiveParameter] array $config): TransportInterface
    {
        return $this->app->make(MailerFactory::class)->transport($config);
    }
}
