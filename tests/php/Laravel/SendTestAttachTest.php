<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use O365\Tests\Support\LaravelTestCase;

/** `php artisan o365:send-test {to} --attach=PATH`: large files go in chunks with a progress bar. */
final class SendTestAttachTest extends LaravelTestCase
{
    public function testAttachesALargeFileWithAProgressBar(): void
    {
        $path = tempnam(sys_get_temp_dir(), 'o365-attach-');
        file_put_contents($path, random_bytes(6 * 1024 * 1024));
        try {
            [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com', '--attach' => [$path]]);
            $this->assertSame(0, $code, $out);
            $this->assertStringContainsString('6144/6144 KiB', $out);
            $this->assertStringContainsString('100%', $out);
            $m = $this->onlyMessage();
            $this->assertSame('draft', $m['via']);
            $this->assertSame(basename($path), $m['attachments'][0]['name']);
            $this->assertSame(hash_file('sha256', $path), $m['attachments'][0]['sha256']);
        } finally {
            unlink($path);
        }
    }

    public function testUnreadableAttachmentIsRefusedBeforeSending(): void
    {
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com', '--attach' => ['/nonexistent/file.pdf']]);
        $this->assertSame(2, $code);
        $this->assertStringContainsString('Cannot read the file `/nonexistent/file.pdf`', $out);
        $this->assertSame([], $this->emulator->messages());
    }
}
