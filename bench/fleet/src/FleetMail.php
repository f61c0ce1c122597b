<?php

declare(strict_types=1);

namespace O365\Bench\Fleet;

use Illuminate\Mail\Mailable;
use Illuminate\Mail\Mailables\Address;
use Illuminate\Mail\Mailables\Content;
use Illuminate\Mail\Mailables\Envelope;
use Illuminate\Mail\Mailables\Headers;
use O365\Laravel\Queue\ReleaseWhenThrottled;

/**
 * One bench mail: sent from `$mailbox`, with its own Message-ID (duplicates are counted
 * by it at the emulator) and the time it was queued (queue-to-accepted latency).
 */
final class FleetMail extends Mailable
{
    public function __construct(public string $run, public int $n, public string $mailbox, public float $queuedAt)
    {
    }

    /** Throttled: back onto the queue for Graph's (or the limiter's) delay. */
    public function middleware(): array
    {
        return [new ReleaseWhenThrottled()];
    }

    /** Attempts until then, whatever `tries` says: throttling may take several. */
    public function retryUntil(): \DateTimeInterface
    {
        return now()->addMinutes(30);
    }

    public function envelope(): Envelope
    {
        return new Envelope(from: new Address($this->mailbox, 'Fleet'), subject: "fleet {$this->run} #{$this->n}");
    }

    public function headers(): Headers
    {
        return new Headers(messageId: "fleet-{$this->run}-{$this->n}@bench.example", text: [
            'X-Fleet-Queued-At' => sprintf('%.3f', $this->queuedAt),
        ]);
    }

    public function content(): Content
    {
        return new Content(htmlString: "<p>Fleet mail {$this->n} of run {$this->run}.</p>");
    }
}
