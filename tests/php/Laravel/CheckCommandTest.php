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
        $this->assertStringContainsString('Graph accepted `sender@contoso.com` as a sending mailbox of this app', $out);
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
        $this->assertStringNotContainsString(Emulator::CLIENT_SECRET, $out);
        $this->assertSame([], $this->emulator->messages(), 'the check sends nothing');
        $probe = array_values(array_filter($this->emulator->requests(), static fn ($r) => str_ends_with($r['path'], '/sendMail')));
        $this->assertCount(1, $probe, 'one sendMail without recipients checks the mailbox');
        $this->assertSame(400, $probe[0]['status']);
        $this->assertStringContainsString('/users/sender@contoso.com/sendMail', $probe[0]['path']);
    }

    /** Points the o365 mailer at a fresh emulator started with `$args`. */
    private function emulatorWith(array $args): Emulator
    {
        $emulator = new Emulator($args);
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $emulator->config());

        return $emulator;
    }

    public function testExactlyOnceWithoutMailReadWriteIsNotReady(): void
    {
        $emulator = new Emulator(['--role', 'Mail.Send']);
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $emulator->config(['exactly_once' => true]));
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('`exactly_once` is on', $out);
        $this->assertStringContainsString('Add Mail.ReadWrite (Microsoft Graph, Application) to the app and grant admin consent', $out);

        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $this->emulator->config(['exactly_once' => true]));
        [$code, $out] = $this->artisan('o365:check');
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('exactly_once: on; Mail.ReadWrite is granted', $out);
    }

    public function testMailboxThatDoesNotExistIsNotReady(): void
    {
        $emulator = $this->emulatorWith(['--mailbox', 'noreply@contoso.com']);
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('Not ready to send', $out);
        $this->assertStringContainsString('Fix: the mailbox `sender@contoso.com` does not exist in this tenant (Graph: 404 ErrorInvalidUser', $out);
        $this->assertStringContainsString('O365_MAILBOX', $out);
        $this->assertStringNotContainsString('OK: ready', $out);
    }

    public function testMailboxOutsideTheAppsScopeNamesTheExchangeCommands(): void
    {
        $emulator = $this->emulatorWith(['--allowed-mailbox', 'other@contoso.com']);
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('Fix: the app is restricted and `sender@contoso.com` is outside its scope (Graph: 403 ErrorAccessDenied', $out);
        $this->assertStringContainsString('Test-ApplicationAccessPolicy -Identity sender@contoso.com -AppId '.Emulator::CLIENT_ID, $out);
        $this->assertStringContainsString('Test-ServicePrincipalAuthorization -Identity '.Emulator::CLIENT_ID.' -Resource sender@contoso.com', $out);
        $this->assertStringContainsString('New-ManagementRoleAssignment', $out);
        $this->assertStringNotContainsString('admin consent', $out, 'consent is not the problem here');
    }

    public function testTheMailersOwnFromIsTheMailboxChecked(): void
    {
        $emulator = $this->emulatorWith(['--mailbox', 'billing@contoso.com']);
        $this->app['config']->set('mail.mailers.o365.from', ['address' => 'billing@contoso.com', 'name' => 'Billing']);
        [$code, $out] = $this->artisan('o365:check');

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString("mailbox:    billing@contoso.com (from the mailer's own `from`", $out);
        $this->assertStringContainsString('OK: ready to send as billing@contoso.com', $out);
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
        $this->assertStringContainsString('Configuration failed: config key `client_id` is missing', $out);
        $this->assertStringContainsString('Fix: set `client_id` (env O365_CLIENT_ID)', $out);
        $this->assertLessThanOrEqual(2, substr_count(trim($out), "\n") + 1, "one line of error, one of fix:\n$out");
    }

    public function testUnknownMailerOptionIsAnInvalidArgument(): void
    {
        [$code, $out] = $this->artisan('o365:check', ['--mailer' => 'nope']);

        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('There is no mailer `nope` in config/mail.php. Mailers using o365: o365.', $out);
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
        $this->assertStringContainsString('the sender `Contoso App` is not a usable mailbox address', $out);
    }

    public function testMailerThatIsNotO365(): void
    {
        [$code, $out] = $this->artisan('o365:check', ['--mailer' => 'array']);

        $this->assertSame(2, $code);
        $this->assertStringContainsString('The mailer `array` in config/mail.php does not use the o365 transport', $out);
    }
}
