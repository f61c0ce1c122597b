<?php

declare(strict_types=1);

namespace O365\Symfony;

use O365\Mailer;
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
    public function create(Dsn $dsn): TransportInterface
    {
        if ($dsn->getScheme() !== 'o365') {
            throw new UnsupportedSchemeException($dsn, 'o365', $this->getSupportedSchemes());
        }
        ExtensionMissing::check();

        $config = ['tenant_id' => $dsn->getHost(), 'client_id' => $dsn->getUser(), 'client_secret' => $dsn->getPassword()];
        foreach (['cloud', 'mailbox', 'login_endpoint', 'graph_endpoint', 'save_to_sent_items', 'timeout', 'max_retries', 'ca_file'] as $key) {
            $config[$key] = $dsn->getOption($key);
        }
        if ($dsn->getPort() !== null) {
            throw new \InvalidArgumentException('An o365:// DSN takes no port: the host part is the tenant id (o365://CLIENT_ID:SECRET@TENANT_ID).');
        }

        return new O365Transport(new Mailer(array_filter($config, static fn ($v) => $v !== null && $v !== '')), $this->dispatcher, $this->logger);
    }

    protected function getSupportedSchemes(): array
    {
        return ['o365'];
    }
}
