<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Mail\Mailable;
use Illuminate\Mail\Mailables\Content;
use Illuminate\Mail\Mailables\Envelope;

/** A plain Mailable rendered from a Blade view. */
final class WelcomeMail extends Mailable
{
    public function __construct(public string $name)
    {
    }

    public function envelope(): Envelope
    {
        return new Envelope(subject: "Welcome, {$this->name}");
    }

    public function content(): Content
    {
        return new Content(view: 'mail.welcome', text: null, with: ['name' => $this->name]);
    }
}
