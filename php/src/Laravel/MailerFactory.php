<?php

declare(strict_types=1);

namespace O365\Laravel;

use O365\ExtensionMissingException;
use O365\Mailer;
use O365\Symfony\O365Transport;
use Psr\Log\LoggerInterface;
use Symfony\Component\Mailer\Transport\TransportInterface;

/** Builds the extension's config, mailer and transport from a Laravel mailer entry over config/o365.php. */
final class MailerFactory
{
    /** Keys of a mailer entry that belong to Laravel, not to the extension. */
    private const LARAVEL_KEYS = ['transport', 'name', 'from', 'reply_to', 'to', 'return_path'];

    /** @throws ExtensionMissingException|\O365\ConfigurationException */
    public static function make(#[\SensitiveParameter] array $mailerConfig, #[\SensitiveParameter] array $defaults): Mailer
    {
        ExtensionMissingException::check();

        return new Mailer(self::settings($mailerConfig, $defaults));
    }

    /**
     * The mailer's transport. A config error or a missing extension does not throw here
     * (resolving a mailer must not break the app or a failover mailer): the transport
     * returned fails every send with a TransportException naming the fix.
     */
    public static function transport(
        #[\SensitiveParameter] array $mailerConfig,
        #[\SensitiveParameter] array $defaults,
        ?LoggerInterface $logger = null,
        ?callable $onProgress = null,
    ): TransportInterface {
        try {
            return new O365Transport(self::make($mailerConfig, $defaults), null, $logger, $onProgress);
        } catch (ExtensionMissingException|\O365\ConfigurationException $e) {
            return new MisconfiguredTransport($e, $logger);
        }
    }

    /**
     * The extension config: the mailer entry over config/o365.php, where a null in the
     * entry falls back to the default. Keys the extension does not know are kept whatever
     * their value (a misspelled `'mailbx' => env('O365_MAILBOX')` is null when the variable
     * is unset), so that the extension rejects them by name.
     */
    public static function settings(#[\SensitiveParameter] array $mailerConfig, #[\SensitiveParameter] array $defaults): array
    {
        $config = $defaults;
        foreach (Migration::config((string) ($mailerConfig['transport'] ?? 'o365'), $mailerConfig) as $key => $value) {
            if (!in_array($key, self::LARAVEL_KEYS, true) && ($value !== null || !array_key_exists($key, $config))) {
                $config[$key] = $value;
            }
        }

        // env('X') of a variable set to nothing is '': "not set", as null is.
        return array_map(static fn ($v) => $v === '' ? null : $v, $config);
    }
}
