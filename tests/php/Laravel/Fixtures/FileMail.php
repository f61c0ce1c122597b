<?php

declare(strict_types=1);

namespace O365\Tests\Laravel\Fixtures;

use Illuminate\Mail\Mailable;

/** A Mailable with one file attached from disk (`attach($path)`). */
final class FileMail extends Mailable
{
    public function __construct(private readonly string $path)
    {
    }

    public function build(): static
    {
        return $this->subject('Your export')->html('<p>The export is attached.</p>')
            ->attach($this->path, ['as' => 'export.bin', 'mime' => 'application/octet-stream']);
    }
}
