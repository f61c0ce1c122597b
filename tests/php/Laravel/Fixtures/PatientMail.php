<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Mail\Mailable;
use Illuminate\Mail\Mailables\Content;
use Illuminate\Mail\Mailables\Envelope;
use O365\Laravel\Queue\ReleaseWhenThrottled;

/** A queued Mailable that may be attempted 3 times, optionally with the throttling middleware. */
final class PatientMail extends Mailable
{
    public $tries = 3;

    public $maxExceptions;

    public function __construct(public string $name, public bool $releaseWhenThrottled = false, ?int $maxExceptions = null)
    {
        $this->maxExceptions = $maxExceptions;
    }

    public function middleware(): array
    {
        return $this->releaseWhenThrottled ? [new ReleaseWhenThrottled()] : [];
    }

    public function envelope(): Envelope
    {
        return new Envelope(subject: "Patience, {$this->name}");
    }

    public function content(): Content
    {
        return new Content(view: 'mail.welcome', text: null, with: ['name' => $this->name]);
    }
}
