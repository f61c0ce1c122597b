<?php

declare(strict_types=1);

namespace O365\Symfony;

use O365\ExtensionMissingException;
use O365\Mailer;
use Symfony\Component\Mailer\Exception\InvalidArgumentException;
use Symfony\Component\Mailer\Exception\UnsupportedSchemeException;
use Symfony\Component\Mailer\Transport\AbstractTransportFactory;
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mailer\Transport\TransportInterface;

/**
 * `o365://CLIENT_ID:SECRET@TENANT_ID?mailbox=...` for Symfony Mailer. Query options are
 * the extension's config keys (cloud, mailbox, login_endpoint, graph_endpoint,
 * save_to_sent_items, timeout, max_retries, ca_file); URL-encode the secret.
 */
final class O365TransportFactory extends AbstractTransportFactory
{
    /** Config keys a DSN may carry in its query. */
    private const OPTIONS = ['cloud', 'mailbox', 'login_endpoint', 'graph_endpoint', 'save_to_sent_items', 'timeout', 'max_retries', 'ca_file'];

    /**
     * @throws UnsupportedSchemeException|\Symfony\Component\Mailer\Exception\IncompleteDsnException|InvalidArgumentException
     * @throws ExtensionMissingException|\O365\ConfigurationException
     */
    public function create(#[\SensitiveParameter] Dsn $dsn): TransportInterface
    {
        if ($dsn->getScheme() !== 'o365') {
            throw new UnsupportedSchemeException($dsn, 'o365', $this->getSupportedSchemes());
        }
        // The DSN's own faults first: they are the same with or without the extension.
        $config = ['tenant_id' => $dsn->getHost(), 'client_id' => $this->getUser($dsn), 'client_secret' => $this->getPassword($dsn)];
        if ($dsn->getPort() !== null) {
            throw new InvalidArgumentException('An o365:// DSN takes no port: the host part is the tenant id (o365://CLIENT_ID:SECRET@TENANT_ID).');
        }
        foreach (self::OPTIONS as $key) {
            $config[$key] = $dsn->getOption($key);
        }
        ExtensionMissingException::check();

        return new O365Transport(new Mailer(array_filter($config, static fn ($v) => $v !== null && $v !== '')), $this->dispatcher, $this->logger);
    }

    protected function getSupportedSchemes(): array
    {
        return ['o365'];
    }
}
