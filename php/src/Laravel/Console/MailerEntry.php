<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use Illuminate\Contracts\Foundation\Application;

/**
 * Makes sure config/mail.php has an o365 mailer that sends with what o365:install just
 * wrote to .env (config/o365.php's values): keeps one that exists, adds `o365` to a file of
 * Laravel's shape, or prints the exact snippet for a customised one. A mailer that sets its
 * own tenant, credential, mailbox or endpoints is another application's, not this one.
 */
final class MailerEntry
{
    public function __construct(private readonly Command $command, private readonly Application $app)
    {
    }

    /** The keys o365:install writes (as O365_* in .env, read by config/o365.php), or that replace them. */
    private const WRITTEN = ['tenant_id', 'client_id', 'client_secret', 'client_certificate', 'client_certificate_key',
        'client_certificate_password', 'federated_token_file', 'managed_identity', 'mailbox', 'cloud', 'login_endpoint', 'graph_endpoint'];

    /**
     * Call with the configuration re-read after .env was written.
     *
     * @return array{0: 'present'|'added'|'snippet', 1: string} the outcome and the mailer's name
     */
    public function ensure(): array
    {
        $config = $this->app['config'];
        $mailers = array_filter((array) $config->get('mail.mailers', []), static fn ($m) => is_array($m) && ($m['transport'] ?? null) === 'o365');
        $own = array_filter($mailers, fn (array $m) => $this->overrides($m) === []);
        if ($own !== []) {
            return ['present', (string) (isset($own['o365']) ? 'o365' : array_key_first($own))];
        }
        if (isset($mailers['o365'])) {
            $keys = implode(', ', $this->overrides($mailers['o365']));
            $this->command->warn("The `o365` mailer in config/mail.php sets $keys itself, so it does not send with what was just written to .env: remove $keys from it (config/o365.php then supplies them), then run php artisan o365:check --mailer=o365");

            return ['snippet', 'o365'];
        }
        $path = $this->app->configPath('mail.php');
        $file = new MailConfigFile($path);
        $text = is_file($path) ? $file->withMailer() : null;
        if ($text !== null) {
            $file->write($text);
            $config->set('mail', require $path);
            $this->command->info('Added the `o365` mailer to config/mail.php.');

            return ['added', 'o365'];
        }
        $this->command->warn(is_file($path)
            ? 'config/mail.php is customised, so it was left alone: add this entry to its `mailers` array, then run php artisan o365:check'
            : 'There is no config/mail.php (Laravel 11+: `php artisan config:publish mail` creates it): add this entry to its `mailers` array, then run php artisan o365:check');
        $this->command->line(implode("\n", array_map(static fn (string $l) => '        '.$l, explode("\n", MailConfigFile::SNIPPET))));

        return ['snippet', 'o365'];
    }

    /**
     * The keys a mailer entry sets to something other than config/o365.php's value (a null
     * keeps that value, as in MailerFactory).
     *
     * @return list<string>
     */
    private function overrides(#[\SensitiveParameter] array $mailer): array
    {
        $defaults = (array) $this->app['config']->get('o365', []);

        return array_values(array_filter(self::WRITTEN, static fn (string $k) => ($mailer[$k] ?? null) !== null && $mailer[$k] !== ($defaults[$k] ?? null)));
    }

    /** Whether MAIL_MAILER decides the default mailer (the file's `default` reads it). */
    public function defaultReadsEnv(): bool
    {
        $path = $this->app->configPath('mail.php');

        return is_file($path) && preg_match('/[\'"]default[\'"]\s*=>\s*env\(\s*[\'"]MAIL_MAILER[\'"]/', (string) file_get_contents($path)) === 1;
    }
}
