<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\RichMail;
use O365\Tests\Support\LaravelTestCase;

/** What Laravel renders arrives at Graph unchanged: parts, inline images, attachments, headers, Bcc. */
final class MimeFidelityTest extends LaravelTestCase
{
    private const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

    public function testRichMailableArrivesWithFullFidelity(): void
    {
        $dir = $this->app->storagePath();
        file_put_contents($logo = "$dir/logo.png", base64_decode(self::PNG));
        $pdf = "%PDF-1.4\n".random_bytes(3000)."\n%%EOF\n";
        file_put_contents($pdfPath = "$dir/report.pdf", $pdf);
        $data = random_bytes(5000)."\x00\r\n.\r\nFrom x\r\n";
        $csv = "quarter,revenue\r\nq3,12\r\n";
        @mkdir("$dir/app/reports", 0777, true);
        file_put_contents("$dir/app/reports/q3.csv", $csv);

        $sent = Mail::to('ann@example.com', 'Ann')->cc('carl@example.com')->bcc('audit@example.com')
            ->send(new RichMail($logo, $pdfPath, $data, 'reports/q3.csv'));

        $m = $this->onlyMessage();
        $this->assertSame('mime', $m['format']);
        $this->assertSame('Quarterly report', $m['subject']);
        $this->assertSame('sender@contoso.com', $m['mailbox']);
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertSame(['carl@example.com'], $m['cc']);
        $this->assertSame(['replies@contoso.com'], $m['reply_to']);

        // Both alternatives, each intact.
        $this->assertStringContainsString('Quarterly report (text version). Numbers are up 12%.', $m['body_text']);
        $this->assertStringContainsString('<h1>Quarterly report</h1>', $m['body_html']);

        // The inline image: an inline part whose Content-ID the HTML references.
        $inline = array_values(array_filter($m['attachments'], static fn ($a) => $a['is_inline']));
        $this->assertCount(1, $inline);
        $this->assertNotEmpty($inline[0]['content_id']);
        $this->assertStringContainsString('src="cid:'.trim($inline[0]['content_id'], '<>').'"', $m['body_html']);
        $this->assertSame(hash('sha256', base64_decode(self::PNG)), $inline[0]['sha256']);

        // Attachments from a path, from data and from storage: byte for byte.
        $files = [];
        foreach ($m['attachments'] as $a) {
            if (!$a['is_inline']) {
                $files[$a['name']] = $a;
            }
        }
        ksort($files);
        $this->assertSame(['figures.csv', 'numbers.bin', 'report.pdf'], array_keys($files));
        $this->assertSame(hash('sha256', $pdf), $files['report.pdf']['sha256']);
        $this->assertSame(strlen($pdf), $files['report.pdf']['size']);
        $this->assertSame('application/pdf', $files['report.pdf']['content_type']);
        $this->assertSame(hash('sha256', $data), $files['numbers.bin']['sha256']);
        $this->assertSame(hash('sha256', $csv), $files['figures.csv']['sha256']);

        // Custom headers and priority.
        $mime = $m['mime'];
        $this->assertSame('q3-report', self::header($mime, 'X-Campaign'));
        $this->assertSame('<mailto:unsubscribe@contoso.com>', self::header($mime, 'List-Unsubscribe'));
        $this->assertSame('1 (Highest)', self::header($mime, 'X-Priority'));

        // Bcc: delivered (Graph reads it from the Bcc header it strips from delivered copies),
        // and in no visible header.
        $this->assertSame(['audit@example.com'], $m['bcc']);
        $this->assertStringNotContainsString('audit@example.com', (string) self::header($mime, 'To'));
        $this->assertStringNotContainsString('audit@example.com', (string) self::header($mime, 'Cc'));
        $this->assertSame(1, substr_count($mime, 'audit@example.com'), 'the Bcc address appears only in the Bcc header');
        $this->assertStringContainsString('audit@example.com', (string) self::header($mime, 'Bcc'));

        // Graph's request-id is recorded on the sent message.
        $this->assertSame($m['request_id'], $sent->getOriginalMessage()->getHeaders()->get('X-O365-Request-Id')?->getBodyAsString());
        $this->assertSame($m['request_id'], $sent->getMessageId());
    }

    public function testRawAndHtmlMail(): void
    {
        Mail::raw('Plain words only.', fn ($message) => $message->to('ann@example.com')->subject('Raw'));
        Mail::html('<p>Only <b>HTML</b></p>', fn ($message) => $message->to('bob@example.com')->subject('Html'));

        [$raw, $html] = $this->emulator->messages();
        $this->assertSame('Raw', $raw['subject']);
        $this->assertStringContainsString('Plain words only.', $raw['body_text']);
        $this->assertNull($raw['body_html']);
        $this->assertSame('Html', $html['subject']);
        $this->assertSame(['bob@example.com'], $html['to']);
        $this->assertStringContainsString('<p>Only <b>HTML</b></p>', $html['body_html']);
    }
}
