<?php

declare(strict_types=1);

namespace O365\Laravel\Queue;

use Illuminate\Queue\Events\JobExceptionOccurred;
use Illuminate\Queue\Jobs\SyncJob;
use O365\Symfony\OutcomeUnknownTransportException;

/**
 * Registered by the service provider for every app: a queued job whose send ended with
 * an unknown outcome (Graph may have accepted the mail: a 504, a timeout, a reset) on a
 * mailer without `exactly_once` is failed at once, not retried: a retry could deliver the
 * mail twice. It lands in failed_jobs with the OutcomeUnknownException in its exception
 * text (see README, "Exactly once"). With `exactly_once` the transport throws a plain
 * TransportException instead, and the queue's retry is settled by the sender.
 */
final class FailUnknownOutcomes
{
    public function handle(JobExceptionOccurred $event): void
    {
        $job = $event->job;
        if ($job instanceof SyncJob || $job->isDeleted() || $job->isReleased() || $job->hasFailed()) {
            return;
        }
        for ($e = $event->exception; $e !== null; $e = $e->getPrevious()) {
            if ($e instanceof OutcomeUnknownTransportException) {
                $job->fail($event->exception);

                return;
            }
        }
    }
}
