<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Foundation\Application;
use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelApp;
use PHPUnit\Framework\TestCase;

/** A real Laravel application sending through the auto-discovered `o365` mailer. */
final class MailerTest extends TestCase
{
    private Emulator $emulator;
    private Application $app;

    protected function setUp(): void
    {
        $this->emulator = new Emulator();
        $this->app = LaravelApp::create();
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $this->emulator->config());
    }

    protected function tearDown(): void
    {
        $this->app->flush();
        Mail::clearResolvedInstances();
    }

    public function testProviderIsAutoDiscovered(): void
    {
        $this->assertArrayHasKey(\O365\Laravel\O365ServiceProvider::class, $this->app->getLoadedProviders());
        $this->assertSame('o365', (string) Mail::mailer('o365')->getSymfonyTransport());
    }

    public function testMailableIsDeliveredThroughGraph(): void
    {
        Mail::to('ann@example.com')->cc('carl@example.com')->bcc('boss@example.com')->send(new WelcomeMail('Ann'));

        $messages = $this->emulator->messages();
        $this->assertCount(1, $messages);
        $m = $messages[0];
        $this->assertSame('Welcome, Ann', $m['subject']);
        $this->assertSame('sender@contoso.com', $m['mailbox']);
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertSame(['carl@example.com'], $m['cc']);
        $this->assertSame(['boss@example.com'], $m['bcc']);
        $this->assertStringContainsString('Welcome, Ann!', $m['mime']);
    }

    public function testGraphFailureBecomesSymfonyTransportException(): void
    {
        $this->app['config']->set('mail.mailers.o365.client_secret', 'wrong');
        try {
            Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected an exception');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $this->assertInstanceOf(\O365\AuthenticationException::class, $e->getPrevious());
            $this->assertStringContainsString('client secret', $e->getMessage());
        }
        $this->assertSame([], $this->emulator->messages());
    }
}
