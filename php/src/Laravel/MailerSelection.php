<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Contracts\Config\Repository;

/** Which o365 mailer of config/mail.php an Artisan command uses, and its sending mailbox. */
final class MailerSelection
{
    /**
     * `$name` if given, else the default mailer when it uses o365, else the first o365 mailer.
     *
     * @throws \InvalidArgumentException naming the fix
     */
    public static function mailerName(#[\SensitiveParameter] Repository $config, ?string $name): string
    {
        $mailers = (array) $config->get('mail.mailers', []);
        if ($name !== null && $name !== '') {
            if (!self::isO365($mailers[$name] ?? null)) {
                throw new \InvalidArgumentException(isset($mailers[$name])
                    ? "The mailer `$name` in config/mail.php does not use the o365 transport (its transport is `".($mailers[$name]['transport'] ?? 'none').'`).'
                    : "There is no mailer `$name` in config/mail.php. Mailers using o365: ".(implode(', ', self::o365Mailers($mailers)) ?: 'none').'.');
            }

            return $name;
        }
        $default = (string) $config->get('mail.default');
        if (self::isO365($mailers[$default] ?? null)) {
            return $default;
        }
        $o365 = self::o365Mailers($mailers);
        if ($o365 === []) {
            throw new \InvalidArgumentException("No mailer in config/mail.php uses the o365 transport. Fix: add 'o365' => ['transport' => 'o365'] to `mailers` in config/mail.php (credentials come from config/o365.php and the O365_* env variables).");
        }

        return $o365[0];
    }

    /**
     * The address a send through mailer `$name` uses as its mailbox, as sending picks it:
     * the `mailbox` key, else the mailer's own `from`, else mail.from.address.
     *
     * @return array{string, string} the address ('' if none) and where it came from
     */
    public static function mailbox(#[\SensitiveParameter] Repository $config, string $name, #[\SensitiveParameter] array $settings): array
    {
        if (($settings['mailbox'] ?? null) !== null) {
            return [(string) $settings['mailbox'], 'the `mailbox` key'];
        }
        $own = $config->get("mail.mailers.$name.from.address");
        if ($own !== null && $own !== '') {
            return [(string) $own, "the mailer's own `from` (mail.mailers.$name.from), since `mailbox` is not set"];
        }

        return [(string) $config->get('mail.from.address'), 'mail.from.address (MAIL_FROM_ADDRESS), since `mailbox` is not set'];
    }

    /** Transport names this package answers to (`o365`, and the migration aliases it registered). */
    private static function isO365(mixed $mailer): bool
    {
        return is_array($mailer) && in_array($mailer['transport'] ?? null, O365ServiceProvider::transports(), true);
    }

    /** @return list<string> */
    private static function o365Mailers(array $mailers): array
    {
        return array_values(array_map('strval', array_keys(array_filter($mailers, self::isO365(...)))));
    }
}
