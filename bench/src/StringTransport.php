<?php

declare(strict_types=1);

namespace O365\Bench;

use O365\Mailer;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mailer\Transport\AbstractTransport;
use Symfony\Component\Mime\Address;

/**
 * The transport as it was before streaming (issue 13), kept for the memory benchmark
 * only: renders the whole message with toString() and hands the string to sendMime().
 */
final class StringTransport extends AbstractTransport
{
    public function __construct(private readonly Mailer $mailer)
    {
        parent::__construct();
    }

    protected function doSend(SentMessage $message): void
    {
        $envelope = $message->getEnvelope();
        $recipients = array_map(static fn (Address $a): string => $a->getAddress(), $envelope->getRecipients());
        $this->mailer->sendMime($message->toString(), $envelope->getSender()->getAddress(), $recipients);
    }

    public function __toString(): string
    {
        return 'o365-string';
    }
}
