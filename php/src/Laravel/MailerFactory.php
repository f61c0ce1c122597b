<?php

declare(strict_types=1);

namespace O365\Laravel;

use O365\Mailer;

/** Builds an extension Mailer from a Laravel mailer entry merged over config/o365.php. */
final class MailerFactory
{
    /** Keys of a mailer entry that belong to Laravel, not to the extension. */
    private const LARAVEL_KEYS = ['transport', 'name'];

    public static function make(array $mailerConfig, array $defaults): Mailer
    {
        if (!extension_loaded('o365')) {
            throw ExtensionMissing::create();
        }

        $config = $defaults;
        foreach ($mailerConfig as $key => $value) {
            if (in_array($key, self::LARAVEL_KEYS, true) || $value === null) {
                continue;
            }
            $config[$key] = $value;
        }

        return new Mailer(array_filter($config, static fn ($v) => $v !== null));
    }
}
