<?php

declare(strict_types=1);

namespace O365\Laravel\Queue;

use Illuminate\Queue\Jobs\SyncJob;

/**
 * Job middleware for queued mail (Mailables, mail notifications): when Graph throttles
 * the mailbox (ThrottledException), the job goes back onto the queue for Graph's
 * Retry-After plus jitter instead of failing. The release is not an exception, so it does
 * not count towards `maxExceptions`; it does use up an attempt (`tries`): use
 * `retryUntil()` for mail that must wait out long throttling. Enable it in one line on a
 * Mailable or Notification: `public function middleware(): array { return [new ReleaseWhenThrottled]; }`.
 */
final class ReleaseWhenThrottled
{
    /**
     * @param object $job the queued job (SendQueuedMailable, SendQueuedNotifications, ...)
     */
    public function handle(object $job, callable $next): mixed
    {
        try {
            return $next($job);
        } catch (\Throwable $e) {
            $throttled = ThrottleDelay::cause($e);
            $delay = $throttled === null ? null : ThrottleDelay::seconds($throttled);
            $queued = property_exists($job, 'job') ? $job->job : null;
            // Only a real queue can hold the job back; on the sync queue (or run directly)
            // releasing would drop the mail silently, so the caller gets the exception.
            if ($delay === null || $queued === null || $queued instanceof SyncJob || !method_exists($job, 'release')) {
                throw $e;
            }
            $job->release($delay);

            return null;
        }
    }
}
