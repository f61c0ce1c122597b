<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Mail\Attachment;
use Illuminate\Mail\Mailable;
use Illuminate\Mail\Mailables\Address;
use Illuminate\Mail\Mailables\Content;
use Illuminate\Mail\Mailables\Envelope;
use Illuminate\Mail\Mailables\Headers;

/** Everything at once: HTML + text views, an inline image, attachments from a path, data and storage, headers, priority. */
final class RichMail extends Mailable
{
    public function __construct(public string $logoPath, public string $pdfPath, public string $data, public string $storagePath)
    {
        $this->priority(1);
    }

    public function envelope(): Envelope
    {
        return new Envelope(
            subject: 'Quarterly report',
            replyTo: [new Address('replies@contoso.com', 'Replies')],
        );
    }

    public function content(): Content
    {
        return new Content(view: 'mail.rich', text: 'mail.rich-text', with: ['logoPath' => $this->logoPath]);
    }

    public function headers(): Headers
    {
        return new Headers(text: ['X-Campaign' => 'q3-report', 'List-Unsubscribe' => '<mailto:unsubscribe@contoso.com>']);
    }

    public function attachments(): array
    {
        return [
            Attachment::fromPath($this->pdfPath)->as('report.pdf')->withMime('application/pdf'),
            Attachment::fromData(fn () => $this->data, 'numbers.bin')->withMime('application/octet-stream'),
            Attachment::fromStorage($this->storagePath)->as('figures.csv')->withMime('text/csv'),
        ];
    }
}
