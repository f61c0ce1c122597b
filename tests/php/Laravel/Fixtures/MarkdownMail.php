<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Mail\Mailable;
use Illuminate\Mail\Mailables\Content;
use Illuminate\Mail\Mailables\Envelope;

/** A markdown Mailable (Laravel's mail components and theme). */
final class MarkdownMail extends Mailable
{
    public function __construct(public string $name)
    {
    }

    public function envelope(): Envelope
    {
        return new Envelope(subject: "Your order shipped, {$this->name}");
    }

    public function content(): Content
    {
        return new Content(markdown: 'mail.shipped', with: ['name' => $this->name, 'url' => 'https://shop.example.com/orders/42']);
    }
}
