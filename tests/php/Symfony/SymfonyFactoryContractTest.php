<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\O365Transport;
use O365\Symfony\O365TransportFactory;
use Symfony\Component\Mailer\Test\AbstractTransportFactoryTestCase;
use Symfony\Component\Mailer\Test\IncompleteDsnTestTrait;
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mailer\Transport\TransportFactoryInterface;

// Symfony's own contract for transport factories; its test case ships with Symfony Mailer 7.2+
// (the Laravel 13 bed). With older Symfony, TransportFactoryTest covers the same ground.
if (!class_exists(AbstractTransportFactoryTestCase::class)) {
    return;
}

/** O365TransportFactory passes Symfony's AbstractTransportFactoryTestCase. */
final class SymfonyFactoryContractTest extends AbstractTransportFactoryTestCase
{
    use IncompleteDsnTestTrait;

    public function getFactory(): TransportFactoryInterface
    {
        return new O365TransportFactory();
    }

    public static function supportsProvider(): iterable
    {
        yield [new Dsn('o365', 'contoso.onmicrosoft.com', self::USER, self::PASSWORD), true];
        yield [new Dsn('smtp', 'example.com'), false];
    }

    public static function createProvider(): iterable
    {
        $config = ['tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => self::USER, 'client_secret' => self::PASSWORD];
        yield [new Dsn('o365', 'contoso.onmicrosoft.com', self::USER, self::PASSWORD), new O365Transport(new \O365\Mailer($config))];
        yield [
            new Dsn('o365', 'contoso.onmicrosoft.com', self::USER, self::PASSWORD, null, ['mailbox' => 'noreply@contoso.com']),
            new O365Transport(new \O365\Mailer($config + ['mailbox' => 'noreply@contoso.com'])),
        ];
    }

    public static function unsupportedSchemeProvider(): iterable
    {
        yield [new Dsn('o365+api', 'tenant', self::USER, self::PASSWORD), 'The "o365+api" scheme is not supported; supported schemes for mailer "o365" are: "o365".'];
    }

    public static function incompleteDsnProvider(): iterable
    {
        yield [new Dsn('o365', 'tenant', self::USER)];
        yield [new Dsn('o365', 'tenant')];
    }
}
