<?php

declare(strict_types=1);

namespace O365\Symfony;

use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Messenger\Exception\UnrecoverableExceptionInterface;

// Symfony Messenger is optional: the class is Messenger's "do not retry" exception where
// Messenger is installed, a plain TransportException elsewhere.
if (interface_exists(UnrecoverableExceptionInterface::class)) {
    /**
     * Graph may have accepted the message (OutcomeUnknownException) and `exactly_once` is
     * off: a retry could deliver it twice, so Messenger must not retry it and a Laravel
     * queue fails the job (see O365\Laravel\Queue\FailUnknownOutcomes).
     */
    final class OutcomeUnknownTransportException extends TransportException implements UnrecoverableExceptionInterface
    {
    }
} else {
    /**
     * Graph may have accepted the message (OutcomeUnknownException) and `exactly_once` is
     * off: a retry could deliver it twice, so a Laravel queue fails the job (see
     * O365\Laravel\Queue\FailUnknownOutcomes); with Symfony Messenger installed it is
     * Messenger's unrecoverable exception.
     */
    final class OutcomeUnknownTransportException extends TransportException
    {
    }
}
