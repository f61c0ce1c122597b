<?php

declare(strict_types=1);

namespace O365\Laravel\Queue;

/**
 * How long a queued mail waits after Graph throttled its mailbox: Graph's Retry-After,
 * rounded up to the queue's whole seconds, plus jitter, so that the jobs one 429 stopped
 * do not all come back in the same second and collide again.
 */
final class ThrottleDelay
{
    /** The ThrottledException in `$e`'s chain (Laravel and Symfony wrap it), or null. */
    public static function cause(\Throwable $e): ?\O365\ThrottledException
    {
        for ($t = $e; $t !== null; $t = $t->getPrevious()) {
            if ($t instanceof \O365\ThrottledException) {
                return $t;
            }
        }

        return null;
    }

    /**
     * Seconds to release the job for: ceil(Retry-After) plus 0-20 % jitter (at least
     * 0-1 s), never below `$floor` (the job's own backoff); null when Graph gave no delay.
     */
    public static function seconds(\O365\ThrottledException $e, int $floor = 0): ?int
    {
        $retryAfter = $e->getRetryAfter();
        if ($retryAfter === null) {
            return null;
        }
        $base = max(0, (int) ceil($retryAfter));

        return max($floor, $base + random_int(0, max(1, intdiv($base, 5))));
    }
}
