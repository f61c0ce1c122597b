<?php

declare(strict_types=1);

namespace O365\Symfony;

use Psr\EventDispatcher\EventDispatcherInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\Mailer\Transport as SymfonyTransport;
use Symfony\Component\Mailer\Transport\TransportInterface;
use Symfony\Contracts\HttpClient\HttpClientInterface;

/**
 * Symfony's `Transport::fromDsn()` with the o365 scheme added: `o365://...` DSNs, and
 * Symfony's own ones, also combined (`failover(o365://... smtp://...)`).
 */
final class Transport
{
    public static function fromDsn(#[\SensitiveParameter] string $dsn, ?EventDispatcherInterface $dispatcher = null, ?HttpClientInterface $client = null, ?LoggerInterface $logger = null): TransportInterface
    {
        return self::factory($dispatcher, $client, $logger)->fromString($dsn);
    }

    /** @param string[] $dsns */
    public static function fromDsns(#[\SensitiveParameter] array $dsns, ?EventDispatcherInterface $dispatcher = null, ?HttpClientInterface $client = null, ?LoggerInterface $logger = null): TransportInterface
    {
        return self::factory($dispatcher, $client, $logger)->fromStrings($dsns);
    }

    private static function factory(?EventDispatcherInterface $dispatcher, ?HttpClientInterface $client, ?LoggerInterface $logger): SymfonyTransport
    {
        $factories = [new O365TransportFactory($dispatcher, $client, $logger)];
        foreach (SymfonyTransport::getDefaultFactories($dispatcher, $client, $logger) as $factory) {
            $factories[] = $factory;
        }

        return new SymfonyTransport($factories);
    }
}
