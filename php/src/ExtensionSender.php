<?php

declare(strict_types=1);

namespace O365;

/** The Sender of production: the extension's `O365\Mailer::sendMimeStream()`. */
final class ExtensionSender implements Sender
{
    public function __construct(private readonly Mailer $mailer)
    {
    }

    public function send(iterable $mime, ?string $mailbox, array $recipients, ?\Closure $onProgress = null): array
    {
        return $this->mailer->sendMimeStream($mime, $mailbox, $recipients, $onProgress);
    }
}
