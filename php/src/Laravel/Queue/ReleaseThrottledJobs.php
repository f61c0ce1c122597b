<?php

declare(strict_types=1);

namespace O365\Laravel\Queue;

use Illuminate\Queue\Events\JobExceptionOccurred;
use Illuminate\Queue\Jobs\SyncJob;

/**
 * Registered by the service provider for every app: when a queued job fails on a
 * ThrottledException and the worker is about to release it anyway (attempts and
 * `maxExceptions` left), release it for Graph's Retry-After plus jitter instead of the
 * job's backoff (0 s by default: straight back into the throttled mailbox). It never
 * keeps a job that Laravel would fail: it runs after the worker's checks, and only on
 * jobs not yet failed, released or deleted. To not spend `maxExceptions` on throttling,
 * add the ReleaseWhenThrottled middleware.
 */
final class ReleaseThrottledJobs
{
    public function handle(JobExceptionOccurred $event): void
    {
        $job = $event->job;
        if ($job instanceof SyncJob || $job->isDeleted() || $job->isReleased() || $job->hasFailed()) {
            return;
        }
        $throttled = ThrottleDelay::cause($event->exception);
        $delay = $throttled === null ? null : ThrottleDelay::seconds($throttled, self::backoff($job));
        if ($delay !== null) {
            $job->release($delay);
        }
    }

    /** The job's own backoff for this attempt (`backoff` of the job, as the worker reads it). */
    private static function backoff(\Illuminate\Contracts\Queue\Job $job): int
    {
        $backoff = method_exists($job, 'backoff') ? $job->backoff() : null;
        if ($backoff === null || $backoff === '') {
            return 0;
        }
        $steps = explode(',', (string) $backoff);

        return (int) ($steps[$job->attempts() - 1] ?? end($steps));
    }
}
