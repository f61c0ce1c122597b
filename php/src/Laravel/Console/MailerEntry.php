<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use Illuminate\Contracts\Foundation\Application;

/**
 * Makes sure config/mail.php has a mailer using the o365 transport: keeps one that exists,
 * adds `o365` to a file of Laravel's shape, or prints the exact snippet for a customised one.
 */
final class MailerEntry
{
    public function __construct(private readonly Command $command, private readonly Application $app)
    {
    }

    /** @return array{0: 'present'|'added'|'snippet', 1: string} the outcome and the mailer's name */
    public function ensure(): array
    {
        foreach ((array) $this->app['config']->get('mail.mailers', []) as $name => $mailer) {
            if (is_array($mailer) && ($mailer['transport'] ?? null) === 'o365') {
                return ['present', (string) $name];
            }
        }
        $path = $this->app->configPath('mail.php');
        $file = new MailConfigFile($path);
        $text = is_file($path) ? $file->withMailer() : null;
        if ($text !== null) {
            $file->write($text);
            $this->command->info('Added the `o365` mailer to config/mail.php.');

            return ['added', 'o365'];
        }
        $this->command->warn(is_file($path)
            ? 'config/mail.php is customised, so it was left alone: add this entry to its `mailers` array, then run php artisan o365:check'
            : 'There is no config/mail.php (Laravel 11+: `php artisan config:publish mail` creates it): add this entry to its `mailers` array, then run php artisan o365:check');
        $this->command->line(implode("\n", array_map(static fn (string $l) => '        '.$l, explode("\n", MailConfigFile::SNIPPET))));

        return ['snippet', 'o365'];
    }

    /** Whether MAIL_MAILER decides the default mailer (the file's `default` reads it). */
    public function defaultReadsEnv(): bool
    {
        $path = $this->app->configPath('mail.php');

        return is_file($path) && preg_match('/[\'"]default[\'"]\s*=>\s*env\(\s*[\'"]MAIL_MAILER[\'"]/', (string) file_get_contents($path)) === 1;
    }
}
