<?php

declare(strict_types=1);

namespace O365\Laravel\Queue;

use Illuminate\Contracts\Queue\Job;
use Illuminate\Mail\Events\MessageSending;
use Symfony\Component\Mime\Address;

/**
 * Registered by the service provider for every app: mail sent by a queued job gets a
 * Message-ID derived from the job's UUID and the mail's position in the job
 * (`<o365.{uuid}.{n}@{from domain}>`), the same on every attempt, so the sender's ledger
 * recognises a retry of a mail Graph already accepted (and does not send it again) or
 * one whose outcome was unknown. A Message-ID the application set itself is kept. The
 * worker runs one job at a time; the state is that job's.
 */
final class StableMessageIds
{
    private ?string $uuid = null;
    private int $position = 0;

    public function started(Job $job): void
    {
        $this->uuid = $job->uuid();
        $this->position = 0;
    }

    public function ended(): void
    {
        $this->uuid = null;
    }

    public function sending(MessageSending $event): void
    {
        if ($this->uuid === null) {
            return;
        }
        $this->position++;
        $headers = $event->message->getHeaders();
        if (!$headers->has('Message-ID')) {
            $headers->addIdHeader('Message-ID', self::id($this->uuid, $this->position, $event->message->getFrom()));
        }
    }

    /** @param Address[] $from */
    private static function id(string $uuid, int $position, array $from): string
    {
        $address = isset($from[0]) ? $from[0]->getAddress() : '';
        $domain = str_contains($address, '@') ? substr($address, strrpos($address, '@') + 1) : 'o365.queue';

        return sprintf('o365.%s.%d@%s', $uuid, $position, $domain);
    }
}
