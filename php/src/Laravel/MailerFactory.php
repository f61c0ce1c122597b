<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Contracts\Config\Repository;
use O365\ExtensionMissingException;
use O365\ExtensionSender;
use O365\Mailer;
use O365\Symfony\O365Transport;
use Psr\Log\LoggerInterface;
use Symfony\Component\Mailer\Transport\TransportInterface;

/**
 * Builds the extension's config, mailer and transport from a Laravel mailer entry over
 * config/o365.php. One per application (a container singleton, see O365ServiceProvider):
 * config/o365.php and the Redis connections are read once, when it is made.
 */
final class MailerFactory
{
    /** Keys of a mailer entry that belong to Laravel, not to the extension. */
    private const LARAVEL_KEYS = ['transport', 'name', 'from', 'reply_to', 'to', 'return_path'];

    /**
     * `$defaults` is config('o365'); `$redis` is config('database.redis'), where
     * `redis_connection` is looked up; `$logger` receives the transports' warnings.
     */
    public function __construct(
        #[\SensitiveParameter] private readonly array $defaults = [],
        #[\SensitiveParameter] private readonly array $redis = [],
        private readonly ?LoggerInterface $logger = null,
    ) {
    }

    /** The factory of an application: its config/o365.php and Redis connections, as they are now. */
    public static function fromConfig(#[\SensitiveParameter] Repository $config, ?LoggerInterface $logger = null): self
    {
        return new self((array) $config->get('o365', []), (array) $config->get('database.redis', []), $logger);
    }

    /**
     * The extension's mailer of a mailer entry.
     *
     * @throws ExtensionMissingException|\O365\ConfigurationException
     */
    public function mailer(#[\SensitiveParameter] array $mailerConfig): Mailer
    {
        ExtensionMissingException::check();

        return new Mailer($this->settings($mailerConfig));
    }

    /**
     * The mailer's transport. A config error or a missing extension does not throw here
     * (resolving a mailer must not break the app or a failover mailer): the transport
     * returned fails every send with a TransportException naming the fix.
     * `$onProgress` as O365Transport's.
     */
    public function transport(#[\SensitiveParameter] array $mailerConfig, ?callable $onProgress = null): TransportInterface
    {
        try {
            ExtensionMissingException::check();
            $settings = $this->settings($mailerConfig);
            $exactlyOnce = filter_var($settings['exactly_once'] ?? false, FILTER_VALIDATE_BOOLEAN);

            return new O365Transport(new ExtensionSender(new Mailer($settings)), null, $this->logger, $onProgress, $exactlyOnce);
        } catch (ExtensionMissingException|\O365\ConfigurationException $e) {
            return new MisconfiguredTransport($e, $this->logger);
        }
    }

    /**
     * The extension config: the mailer entry over config/o365.php, where a null in the
     * entry falls back to the default. Keys the extension does not know are kept whatever
     * their value (a misspelled `'mailbx' => env('O365_MAILBOX')` is null when the variable
     * is unset), so that the extension rejects them by name.
     */
    public function settings(#[\SensitiveParameter] array $mailerConfig): array
    {
        $config = $this->defaults;
        foreach (Migration::config((string) ($mailerConfig['transport'] ?? 'o365'), $mailerConfig) as $key => $value) {
            if (!in_array($key, self::LARAVEL_KEYS, true) && ($value !== null || !array_key_exists($key, $config))) {
                $config[$key] = $value;
            }
        }

        // env('X') of a variable set to nothing is '': "not set", as null is.
        $config = array_map(static fn ($v) => $v === '' ? null : $v, $config);

        return $this->withRedisUrl($config);
    }

    /** Replaces `redis_connection` by the `redis_url` it stands for. */
    private function withRedisUrl(#[\SensitiveParameter] array $config): array
    {
        $connection = $config['redis_connection'] ?? null;
        unset($config['redis_connection']);
        if ($connection === null) {
            return $config;
        }
        if (($config['redis_url'] ?? null) !== null) {
            throw new \O365\ConfigurationException('config keys `redis_connection` and `redis_url` are both set for the o365 mailer; they say the same thing twice. Fix: keep one (`redis_connection` names a connection of config/database.php; `redis_url` / env O365_REDIS_URL is the URL itself).');
        }
        $config['redis_url'] = RedisUrl::fromConnection((string) $connection, $this->redis);

        return $config;
    }
}
