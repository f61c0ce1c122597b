<?php

declare(strict_types=1);

namespace O365\Laravel;

use Psr\Log\LoggerInterface;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mailer\Transport\AbstractTransport;

/**
 * Stands in for an o365 transport whose config is wrong or whose extension is missing:
 * resolving the mailer succeeds (so the app boots and a failover mailer can move on),
 * and every send fails with Symfony's TransportException naming the fix.
 */
final class MisconfiguredTransport extends AbstractTransport
{
    public function __construct(private readonly \RuntimeException $problem, ?LoggerInterface $logger = null)
    {
        parent::__construct(null, $logger);
    }

    /** The configuration error or ExtensionMissingException that stops this mailer. */
    public function problem(): \RuntimeException
    {
        return $this->problem;
    }

    protected function doSend(SentMessage $message): void
    {
        throw new TransportException('The o365 mailer cannot send: '.$this->problem->getMessage(), 0, $this->problem);
    }

    public function __toString(): string
    {
        return 'o365';
    }
}
