<?php

declare(strict_types=1);

namespace O365\Symfony;

use O365\ExtensionMissingException;
use O365\ExtensionSender;
use O365\Mailer;
use Symfony\Component\Mailer\Exception\InvalidArgumentException;
use Symfony\Component\Mailer\Exception\UnsupportedSchemeException;
use Symfony\Component\Mailer\Transport\AbstractTransportFactory;
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mailer\Transport\TransportInterface;

/**
 * `o365://CLIENT_ID:SECRET@TENANT_ID?mailbox=...` for Symfony Mailer. Query options are
 * the extension's config keys, `O365\Mailer::configKeys()` (the ids and the secret go in
 * the DSN's user, password and host parts); an unknown option is refused with the key
 * most likely meant, as in a Laravel mailer entry. URL-encode the secret. Without a secret:
 * `o365://CLIENT_ID@TENANT_ID?client_certificate=/path/app.pem`; a managed identity needs
 * no ids: `o365://default?managed_identity=true` (host `default`: no tenant in the DSN).
 */
final class O365TransportFactory extends AbstractTransportFactory
{
    /** Keys the DSN's user, password and host parts carry, never its query. */
    private const IDS = ['tenant_id', 'client_id', 'client_secret'];

    /** Options that are a credential of their own: the DSN then needs no secret (or no ids). */
    private const CREDENTIALS = ['client_certificate', 'federated_token_file', 'managed_identity'];

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
        $secretless = array_filter(self::CREDENTIALS, static fn ($k) => $dsn->getOption($k) !== null) !== [];
        $config = $secretless
            ? ['tenant_id' => $dsn->getHost() === 'default' ? null : $dsn->getHost(), 'client_id' => $dsn->getUser(), 'client_secret' => $dsn->getPassword()]
            : ['tenant_id' => $dsn->getHost(), 'client_id' => $this->getUser($dsn), 'client_secret' => $this->getPassword($dsn)];
        if ($dsn->getPort() !== null) {
            throw new InvalidArgumentException('An o365:// DSN takes no port: the host part is the tenant id (o365://CLIENT_ID:SECRET@TENANT_ID).');
        }
        ExtensionMissingException::check();
        foreach (self::options($dsn) as $key => $value) {
            if (in_array($key, self::IDS, true)) {
                throw new InvalidArgumentException(sprintf('An o365:// DSN carries `%s` in its user, password or host part, not as an option: o365://CLIENT_ID:SECRET@TENANT_ID.', $key));
            }
            // Unknown keys go to the extension too: it refuses them naming the key meant.
            $config[$key] = $value;
        }

        $exactlyOnce = filter_var($config['exactly_once'] ?? false, FILTER_VALIDATE_BOOLEAN);

        return new O365Transport(new ExtensionSender(new Mailer(array_filter($config, static fn ($v) => $v !== null && $v !== ''))), $this->dispatcher, $this->logger, null, $exactlyOnce);
    }

    /**
     * Every query option of the DSN (Symfony's Dsn has no getter for them all).
     *
     * @return array<string, mixed>
     */
    private static function options(#[\SensitiveParameter] Dsn $dsn): array
    {
        return (fn (): array => $this->options)->call($dsn);
    }

    protected function getSupportedSchemes(): array
    {
        return ['o365'];
    }
}
