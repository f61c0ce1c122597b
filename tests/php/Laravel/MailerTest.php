<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelTestCase;

/** A real Laravel application sending through the auto-discovered `o365` mailer. */
final class MailerTest extends LaravelTestCase
{
    public function testProviderIsAutoDiscovered(): void
    {
        $this->assertArrayHasKey(\O365\Laravel\O365ServiceProvider::class, $this->app->getLoadedProviders());
        $this->assertSame('o365', (string) Mail::mailer('o365')->getSymfonyTransport());
        $this->assertInstanceOf(\O365\Symfony\O365Transport::class, Mail::mailer('o365')->getSymfonyTransport());
    }

    public function testResolvingTheMailerDoesNotTouchTheNetwork(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_secret', 'wrong');
        $transport = Mail::mailer('o365')->getSymfonyTransport();

        $this->assertInstanceOf(\O365\Symfony\O365Transport::class, $transport, 'the o365 mailer itself was resolved');
        $this->assertSame([], $this->emulator->requests(), 'no token request until the first send');
    }

    public function testMailableIsDeliveredThroughGraph(): void
    {
        Mail::to('ann@example.com')->cc('carl@example.com')->bcc('boss@example.com')->send(new WelcomeMail('Ann'));

        $m = $this->onlyMessage();
        $this->assertSame('Welcome, Ann', $m['subject']);
        $this->assertSame('sender@contoso.com', $m['mailbox']);
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertSame(['carl@example.com'], $m['cc']);
        $this->assertSame(['boss@example.com'], $m['bcc']);
        $this->assertStringContainsString('Welcome, Ann!', $m['mime']);
    }

    public function testTokenIsReusedAcrossSends(): void
    {
        foreach (['Ann', 'Bob', 'Carl'] as $name) {
            Mail::to('ann@example.com')->send(new WelcomeMail($name));
        }
        $this->assertCount(3, $this->emulator->messages());
        $tokens = array_filter($this->emulator->requests(), static fn ($r) => str_ends_with($r['path'], '/oauth2/v2.0/token'));
        $this->assertCount(1, $tokens, 'one token request for three sends (each test has its own emulator, so its own cache key)');
    }

    public function testAuthenticationFailureBecomesSymfonyTransportExceptionNamingTheFix(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_secret', 'wrong-secret-value');
        try {
            Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected an exception');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $this->assertInstanceOf(\O365\AuthenticationException::class, $e->getPrevious());
            $this->assertSame('AADSTS7000215', $e->getPrevious()->getGraphCode());
            $this->assertStringStartsWith('Request to Microsoft Graph failed. Reason: Entra rejected the client secret', $e->getMessage());
            $this->assertStringContainsString("Fix: put the secret's Value (not its Secret ID)", $e->getMessage());
            $this->assertStringContainsString('O365_CLIENT_SECRET', $e->getMessage());
            $this->assertStringNotContainsString('wrong-secret-value', (string) $e);
            $this->assertStringNotContainsString(Emulator::CLIENT_SECRET, (string) $e);
        }
        $this->assertSame([], $this->emulator->messages());
    }

    public function testGraphRefusalBecomesSymfonyTransportExceptionNamingTheFix(): void
    {
        $this->emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 403, 'graph_code' => 'ErrorSendAsDenied', 'times' => 1]]);
        try {
            Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected an exception');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $graph = $e->getPrevious();
            $this->assertInstanceOf(\O365\GraphException::class, $graph);
            $this->assertSame('ErrorSendAsDenied', $graph->getGraphCode());
            $this->assertSame(403, $graph->getStatusCode());
            $this->assertSame(403, $e->getCode());
            $this->assertNotNull($graph->getRequestId());
            $this->assertStringContainsString('Send As', $e->getMessage());
        }
    }
}
