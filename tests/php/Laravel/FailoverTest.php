<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\LaravelTestCase;

/** Laravel's failover mailer with o365 first: a Graph refusal hands the message to the next mailer. */
final class FailoverTest extends LaravelTestCase
{
    protected function emulatorArgs(): array
    {
        // The access policy admits only other@contoso.com: sending as sender@contoso.com gets 403.
        return ['--allowed-mailbox', 'other@contoso.com'];
    }

    public function testFailoverTakesOverWhenGraphRefuses(): void
    {
        $this->app['config']->set('mail.mailers.failover', ['transport' => 'failover', 'mailers' => ['o365', 'log']]);
        $this->app['config']->set('mail.default', 'failover');

        Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));

        $this->assertSame([], $this->emulator->messages());
        $refused = array_values(array_filter($this->emulator->requests(), static fn ($r) => str_ends_with($r['path'], '/sendMail')));
        $this->assertSame(403, $refused[0]['status'] ?? null, 'Graph was asked first and refused');
        $log = (string) @file_get_contents($this->app->storagePath('logs/mail.log'));
        $this->assertStringContainsString('Subject: Welcome, Ann', $log, 'the second mailer (log) took the message');
    }

    public function testFailoverIsNotUsedWhenGraphAccepts(): void
    {
        $this->app['config']->set('mail.mailers.failover', ['transport' => 'failover', 'mailers' => ['o365', 'log']]);
        $this->app['config']->set('mail.from.address', 'other@contoso.com');
        Mail::mailer('failover')->to('ann@example.com')->send(new WelcomeMail('Ann'));

        $this->assertSame('Welcome, Ann', $this->onlyMessage()['subject']);
        $this->assertFileDoesNotExist($this->app->storagePath('logs/mail.log'));
    }

    public function testFailoverTakesOverWhenTheO365MailerIsMisconfigured(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_id', null);
        $this->app['config']->set('o365.client_id', null);
        $this->app['config']->set('mail.mailers.failover', ['transport' => 'failover', 'mailers' => ['o365', 'log']]);

        Mail::mailer('failover')->to('ann@example.com')->send(new WelcomeMail('Ann'));

        $this->assertSame([], $this->emulator->requests(), 'a config error is found before any request');
        $log = (string) @file_get_contents($this->app->storagePath('logs/mail.log'));
        $this->assertStringContainsString('Subject: Welcome, Ann', $log, 'the second mailer (log) took the message');
    }

    public function testAConfigErrorSurfacesAtSendTimeAsATransportExceptionNamingTheKey(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_id', null);
        $this->app['config']->set('o365.client_id', null);
        $mailer = Mail::mailer('o365');  // resolving must not throw: the app and other mailers keep working
        try {
            $mailer->to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected a TransportException');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $this->assertInstanceOf(\O365\ConfigurationException::class, $e->getPrevious());
            $this->assertSame('client_id', $e->getPrevious()->getConfigKey());
            $this->assertStringContainsString('O365_CLIENT_ID', $e->getMessage());
        }
    }
}
