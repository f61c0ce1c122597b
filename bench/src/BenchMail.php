<?php

declare(strict_types=1);

namespace O365\Bench;

use Illuminate\Mail\Mailable;

/**
 * The benchmark's mail: an HTML invoice notice (~5 KB) with a 10 KB PDF: ~20 KB as MIME.
 * The memory scenario attaches a large file instead: from its path (`attach`, rendered
 * lazily from disk) or, with $attachmentData, from a string already in PHP memory
 * (`attachData`, the user's own choice).
 */
final class BenchMail extends Mailable
{
    public function __construct(private readonly ?string $attachmentPath = null, private readonly ?string $attachmentData = null)
    {
    }

    public function build(): static
    {
        $this->subject('Your invoice INV-2026-0042')->view('mail.bench', ['rows' => range(1, 40)]);
        if ($this->attachmentPath !== null && $this->attachmentData !== null) {
            return $this->attachData($this->attachmentData, basename($this->attachmentPath), ['mime' => 'application/octet-stream']);
        }
        if ($this->attachmentPath !== null) {
            return $this->attach($this->attachmentPath, ['as' => basename($this->attachmentPath), 'mime' => 'application/octet-stream']);
        }

        return $this->attachData(self::pdf(), 'invoice.pdf', ['mime' => 'application/pdf']);
    }

    /** 10 KB of incompressible, deterministic bytes. */
    public static function pdf(): string
    {
        static $data = null;
        if ($data === null) {
            $data = '';
            for ($i = 0; strlen($data) < 10240; $i++) {
                $data .= hash('sha256', "o365-bench-$i", true);
            }
            $data = substr($data, 0, 10240);
        }

        return $data;
    }
}
