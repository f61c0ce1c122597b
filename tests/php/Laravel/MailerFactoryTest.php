<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Laravel\MailerFactory;
use O365\Laravel\MisconfiguredTransport;
use O365\Symfony\O365Transport;
use O365\Tests\Support\LaravelTestCase;

/** The container holds one MailerFactory, configured from config/o365.php once; o365 mailers come from it. */
final class MailerFactoryTest extends LaravelTestCase
{
    public function testOneFactoryPerApplicationReadsTheConfigOnce(): void
    {
        $this->app['config']->set('o365.mailbox', 'first@contoso.com');
        $factory = $this->app->make(MailerFactory::class);

        $this->assertSame($factory, $this->app->make(MailerFactory::class), 'a singleton');
        $this->assertSame('first@contoso.com', $factory->settings(['transport' => 'o365'])['mailbox']);
        $this->app['config']->set('o365.mailbox', 'later@contoso.com');
        $this->assertSame('first@contoso.com', $factory->settings(['transport' => 'o365'])['mailbox'], 'read when it was made, not per mailer');
        $this->assertSame('entry@contoso.com', $factory->settings(['transport' => 'o365', 'mailbox' => 'entry@contoso.com'])['mailbox'], 'the mailer entry wins');
        $this->assertInstanceOf(O365Transport::class, Mail::mailer('o365')->getSymfonyTransport());
    }

    public function testTheMailManagerTakesItsTransportFromTheContainersFactory(): void
    {
        $this->app->instance(MailerFactory::class, new MailerFactory(['ledger_ttl' => 600]));

        $transport = Mail::mailer('o365')->getSymfonyTransport();

        $this->assertInstanceOf(MisconfiguredTransport::class, $transport, 'the bound factory\'s defaults apply');
        $this->assertInstanceOf(\O365\ConfigurationException::class, $transport->problem());
        $this->assertSame('ledger_ttl', $transport->problem()->getConfigKey());
    }

    public function testTheRedisConnectionsAreTheApplicationsOwn(): void
    {
        $this->app['config']->set('database.redis.mail', ['host' => 'redis.internal', 'port' => 6390, 'database' => 3]);

        $settings = $this->app->make(MailerFactory::class)->settings(['transport' => 'o365', 'redis_connection' => 'mail']);

        $this->assertSame('redis://redis.internal:6390/3', $settings['redis_url']);
    }
}
