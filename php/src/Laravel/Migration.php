<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Mail\MailManager;

/**
 * Mailers written for other Graph mail packages keep working: their transport names are
 * served by o365 unless that package is still installed (its own driver then wins), and
 * their mailer keys are read under ours. Their env names are fallbacks in config/o365.php.
 */
final class Migration
{
    /** innoge/laravel-msgraph-mail's and samluvanda/o365-sendmail's transport names. */
    public const ALIASES = ['microsoft-graph', 'o365-sendmail'];

    /** Mailer keys of those packages that differ from ours. */
    private const RENAMED = ['o365-sendmail' => ['tenant' => 'tenant_id']];

    /** @return list<string> the aliases no other package has registered with `$manager` */
    public static function aliasesToRegister(MailManager $manager): array
    {
        // MailManager keeps its drivers private; read them as MailManager itself would.
        $taken = (fn (): array => array_keys($this->customCreators))->call($manager);

        return array_values(array_diff(self::ALIASES, $taken));
    }

    /** `$config` of a mailer whose transport is `$alias`, with that package's keys renamed to ours. */
    public static function config(string $alias, #[\SensitiveParameter] array $config): array
    {
        foreach (self::RENAMED[$alias] ?? [] as $theirs => $ours) {
            if (array_key_exists($theirs, $config)) {
                $config[$ours] ??= $config[$theirs];
                unset($config[$theirs]);
            }
        }

        return $config;
    }
}
