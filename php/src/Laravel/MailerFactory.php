<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Contracts\Config\Repository;
use O365\Mailer;
use O365\Symfony\ExtensionMissing;

/** Builds extension config from a Laravel mailer entry merged over config/o365.php. */
final class MailerFactory
{
    /** Keys of a mailer entry that belong to Laravel, not to the extension. */
    private const LARAVEL_KEYS = ['transport', 'name', 'from', 'reply_to', 'to', 'return_path'];

    /** @throws ExtensionMissing|\O365\ConfigurationException */
    public static function make(array $mailerConfig, array $defaults): Mailer
    {
        ExtensionMissing::check();

        return new Mailer(self::settings($mailerConfig, $defaults));
    }

    /** The extension config: the mailer entry's non-null keys over config/o365.php's. */
    public static function settings(array $mailerConfig, array $defaults): array
    {
        $config = $defaults;
        foreach ($mailerConfig as $key => $value) {
            if (!in_array($key, self::LARAVEL_KEYS, true) && $value !== null) {
                $config[$key] = $value;
            }
        }

        return array_filter($config, static fn ($v) => $v !== null && $v !== '');
    }

    /**
     * The mailer an Artisan command should use: `$name` if given, else the default
     * mailer when it uses o365, else the first o365 mailer in config/mail.php.
     *
     * @throws \InvalidArgumentException naming the fix
     */
    public static function mailerName(Repository $config, ?string $name): string
    {
        $mailers = (array) $config->get('mail.mailers', []);
        if ($name !== null && $name !== '') {
            if (($mailers[$name]['transport'] ?? null) !== 'o365') {
                throw new \InvalidArgumentException(isset($mailers[$name])
                    ? "The mailer `$name` in config/mail.php does not use the o365 transport (its transport is `".($mailers[$name]['transport'] ?? 'none').'`).'
                    : "There is no mailer `$name` in config/mail.php. Mailers using o365: ".(implode(', ', self::o365Mailers($mailers)) ?: 'none').'.');
            }

            return $name;
        }
        $default = (string) $config->get('mail.default');
        if (($mailers[$default]['transport'] ?? null) === 'o365') {
            return $default;
        }
        $o365 = self::o365Mailers($mailers);
        if ($o365 === []) {
            throw new \InvalidArgumentException("No mailer in config/mail.php uses the o365 transport. Fix: add 'o365' => ['transport' => 'o365'] to `mailers` in config/mail.php (credentials come from config/o365.php and the O365_* env variables).");
        }

        return $o365[0];
    }

    /** @return list<string> */
    private static function o365Mailers(array $mailers): array
    {
        return array_values(array_map('strval', array_keys(array_filter($mailers, static fn ($m) => is_array($m) && ($m['transport'] ?? null) === 'o365'))));
    }
}
