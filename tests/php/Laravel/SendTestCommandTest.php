<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use O365\Tests\Support\LaravelTestCase;

/** `php artisan o365:send-test {to} {--mailer=} {--from=}`: output, exit code and what Graph received. */
final class SendTestCommandTest extends LaravelTestCase
{
    protected function emulatorArgs(): array
    {
        // The access policy admits these two mailboxes only.
        return ['--allowed-mailbox', 'sender@contoso.com', '--allowed-mailbox', 'helpdesk@contoso.com'];
    }

    public function testSendsATestMessage(): void
    {
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com']);

        $this->assertSame(0, $code, $out);
        $m = $this->onlyMessage();
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertSame('sender@contoso.com', $m['mailbox']);
        $this->assertSame('o365 test message from o365 test app', $m['subject']);
        $this->assertStringContainsString('sent through Microsoft Graph by the o365 mailer', $m['body_text']);
        $this->assertStringContainsString('<b>o365 test app</b>', $m['body_html']);
        $this->assertStringContainsString('Sent a test message to ann@example.com with the `o365` mailer. Graph request-id: '.$m['request_id'], $out);
    }

    public function testFromAndMailerOptions(): void
    {
        $this->app['config']->set('mail.mailers.helpdesk', ['transport' => 'o365'] + $this->emulator->config());
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'bob@example.com', '--mailer' => 'helpdesk', '--from' => 'helpdesk@contoso.com']);

        $this->assertSame(0, $code, $out);
        $m = $this->onlyMessage();
        $this->assertSame('helpdesk@contoso.com', $m['mailbox']);
        $this->assertSame('helpdesk@contoso.com', $m['from']);
        $this->assertStringContainsString('with the `helpdesk` mailer', $out);
    }

    public function testGraphRefusalShowsTheFix(): void
    {
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com', '--from' => 'someone@contoso.com']);

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('Sending through the `o365` mailer failed', $out);
        $this->assertStringContainsString('Access to OData is disabled', $out);
        $this->assertStringContainsString('Test-ApplicationAccessPolicy', $out);
        $this->assertSame([], $this->emulator->messages());
    }

    public function testInvalidRecipient(): void
    {
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'not-an-address']);

        $this->assertSame(2, $code);
        $this->assertStringContainsString('The recipient `not-an-address` is not an email address.', $out);
        $this->assertSame([], $this->emulator->requests());
    }

    public function testNoO365Mailer(): void
    {
        $this->app['config']->set('mail.mailers', ['array' => ['transport' => 'array']]);
        $this->app['config']->set('mail.default', 'array');
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com']);

        $this->assertSame(1, $code);
        $this->assertStringContainsString('No mailer in config/mail.php uses the o365 transport', $out);
    }

    public function testUnknownMailerOptionIsAnInvalidArgument(): void
    {
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com', '--mailer' => 'nope']);

        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('There is no mailer `nope` in config/mail.php', $out);
        $this->assertSame([], $this->emulator->requests());
    }

    public function testConfigErrorIsOneLineWithTheFixNotAnExceptionBox(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_id', null);
        [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com']);

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('Configuration failed: config key `client_id` is missing', $out);
        $this->assertStringContainsString('Fix: set `client_id` (env O365_CLIENT_ID)', $out);
        $this->assertStringNotContainsString('Exception', $out, "no exception class or box:\n$out");
        $this->assertSame([], $this->emulator->requests());
    }

    public function testSmallAttachmentsShowNoProgressBarAndTheSharedTransportIsUntouched(): void
    {
        $shared = \Illuminate\Support\Facades\Mail::mailer('o365')->getSymfonyTransport();
        $path = tempnam(sys_get_temp_dir(), 'o365-small-');
        file_put_contents($path, 'a small file');
        try {
            [$code, $out] = $this->artisan('o365:send-test', ['to' => 'ann@example.com', '--attach' => [$path]]);
        } finally {
            unlink($path);
        }

        $this->assertSame(0, $code, $out);
        $this->assertStringNotContainsString('KiB', $out, "no progress bar for a message sent in one request:\n$out");
        $this->assertSame(basename($path), $this->onlyMessage()['attachments'][0]['name']);
        $this->assertSame($shared, \Illuminate\Support\Facades\Mail::mailer('o365')->getSymfonyTransport(), 'the cached mailer keeps its transport');
        $progress = new \ReflectionProperty($shared, 'onProgress');
        $this->assertNull($progress->getValue($shared), 'the shared transport reports progress to nobody');
    }
}
