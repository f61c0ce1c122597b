<?php

declare(strict_types=1);

namespace O365\Bench\Fleet;

use Illuminate\Queue\Events\JobFailed;
use Illuminate\Support\ServiceProvider;

/** Writes every failed job to the log: a failed mail job is a lost mail. */
final class FleetServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        $this->app['events']->listen(JobFailed::class, function (JobFailed $e): void {
            $this->app['log']->error('fleet: job failed: '.$e->job->resolveName().': '.$e->exception->getMessage());
        });
    }
}
