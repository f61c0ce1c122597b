<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelTestCase;

/** `php artisan o365:check`: output and exit code when ready and for each thing that can be wrong. */
final class CheckCommandTest extends LaravelTestCase
{
    public function testReady(): void
    {
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Mailer o365 (transport o365)', $out);
        $this->assertStringContainsString('tenant_id:  '.Emulator::TENANT_ID, $out);
        $this->assertStringContainsString('token endpoint: '.$this->emulator->baseUrl.'/'.Emulator::TENANT_ID.'/oauth2/v2.0/token', $out);
        $this->assertStringContainsString('Granted application permissions (roles): Mail.Send, Mail.ReadWrite', $out);
        $this->assertStringContainsString('mailbox:    sender@contoso.com (from mail.from.address', $out);
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
        $this->assertStringNotContainsString(Emulator::CLIENT_SECRET, $out);
        $this->assertSame([], $this->emulator->messages(), 'the check sends nothing');
    }

    public function testNamedMailerAndFixedMailbox(): void
    {
        $this->app['config']->set('mail.mailers.second', ['transport' => 'o365', 'mailbox' => 'noreply@contoso.com'] + $this->emulator->config());
        [$code, $out] = $this->artisan('o365:check', ['--mailer' => 'second']);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Mailer second', $out);
        $this->assertStringContainsString('mailbox:    noreply@contoso.com (from the `mailbox` key)', $out);
    }

    public function testWrongSecret(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_secret', 'not-the-secret');
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code);
        $this->assertStringContainsString('Getting a token failed', $out);
        $this->assertStringContainsString('AADSTS7000215', $out);
        $this->assertStringContainsString('client_secret', $out);
        $this->assertStringNotContainsString('not-the-secret', $out);
    }

    public function testMissingKeyIsNamed(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_id', null);
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code);
        $this->assertStringContainsString('Configuration failed', $out);
        $this->assertStringContainsString('`client_id`', $out);
        $this->assertStringContainsString('O365_CLIENT_ID', $out);
    }

    public function testNoSendingMailbox(): void
    {
        $this->app['config']->set('mail.from.address', null);
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code);
        $this->assertStringContainsString('Not ready to send', $out);
        $this->assertStringContainsString('no sending mailbox: set `mailbox`', $out);
        $this->assertStringContainsString('MAIL_FROM_ADDRESS', $out);
    }

    public function testMalformedFromAddress(): void
    {
        $this->app['config']->set('mail.from.address', 'Contoso App');
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code);
        $this->assertStringContainsString('the mailbox `Contoso App` is not an email address', $out);
    }

    public function testMailerThatIsNotO365(): void
    {
        [$code, $out] = $this->artisan('o365:check', ['--mailer' => 'array']);

        $this->assertSame(1, $code);
        $this->assertStringContainsString('The mailer `array` in config/mail.php does not use the o365 transport', $out);
    }
}
