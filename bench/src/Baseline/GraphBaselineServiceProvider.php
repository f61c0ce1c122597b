<?php

declare(strict_types=1);

namespace O365\Bench\Baseline;

use Illuminate\Support\Facades\Mail;
use Illuminate\Support\ServiceProvider;

/** Registers the baseline as Laravel's `graph-baseline` mail transport. */
final class GraphBaselineServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        Mail::extend('graph-baseline', static fn (array $config) => new GraphBaselineTransport(new GraphApi($config)));
    }
}
