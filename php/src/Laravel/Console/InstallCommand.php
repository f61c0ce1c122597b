<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Illuminate\Console\Command;
use O365\Laravel\MailerFactory;

/**
 * `php artisan o365:install`: asks (or takes as options) the Entra app's ids, its client
 * secret and the sending mailbox, writes the O365_* keys into .env, adds the `o365`
 * mailer to config/mail.php, then runs o365:check on that mailer. A re-run with the same
 * answers changes no file. The secret is never printed. `--emulator` points it at a local
 * o365-emulator with the emulator's default tenant, client id and secret.
 */
final class InstallCommand extends Command
{
    use AsksForCredential;
    use AsksWithPrompts;
    use ReportsFailures;

    protected $signature = 'o365:install
        {--tenant= : Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com}
        {--client-id= : Application (client) ID}
        {--secret= : The client secret\'s Value (not its Secret ID), or - to read it from standard input (an option value is visible in the process list)}
        {--certificate= : Instead of a secret: the certificate file (PEM with its key, or .pfx/.p12) whose public part is uploaded to the app}
        {--certificate-key= : The certificate\'s private key file, when not in the certificate file}
        {--certificate-password= : The password of an encrypted key or .pfx file, or - to read it from standard input}
        {--mailbox= : The mailbox mail is sent from, e.g. noreply@contoso.com}
        {--cloud= : global (default), usgov, usgov-dod or china}
        {--login-endpoint= : Entra\'s base URL, e.g. a local o365-emulator\'s (empty: remove it, back to the cloud\'s own)}
        {--graph-endpoint= : Graph\'s base URL, e.g. a local o365-emulator\'s (empty: remove it)}
        {--emulator= : Send to a local o365-emulator (default URL http://127.0.0.1:8365): both endpoints, and its default tenant, client id and secret unless given}
        {--default : Make o365 the default mailer (MAIL_MAILER=o365)}
        {--no-check : Do not run o365:check at the end}';

    protected $description = 'Set up the o365 mailer: Entra app ids, client secret and sending mailbox into .env, the mailer into config/mail.php, then check it';

    /** What a local o365-emulator accepts without options (docs/emulator.md). */
    private const EMULATOR = ['url' => 'http://127.0.0.1:8365', 'tenant' => 'contoso.onmicrosoft.com',
        'client-id' => '00000000-0000-0000-0000-000000000001', 'secret' => 'emulator-secret', 'mailbox' => 'noreply@contoso.com'];

    public function handle(): int
    {
        // The answers are checked by the extension (O365\Config), as o365:check's are.
        if (!extension_loaded('o365')) {
            return $this->failWith('Loading the o365 extension', \O365\ExtensionMissingException::create());
        }
        $env = new EnvFile($this->laravel->environmentFilePath());
        $current = $env->values();
        $this->emulatorDefaults($current);
        $answers = $this->answers($current);
        if ($answers === null) {
            return self::INVALID;
        }
        $changed = $this->writeEnv($env, $answers, $current);
        $this->reload($changed, $current);
        $entry = new MailerEntry($this, $this->laravel);
        [$outcome, $mailer] = $entry->ensure();
        if ($answers['default'] && !$entry->defaultReadsEnv()) {
            $this->warn("config/mail.php's `default` does not read MAIL_MAILER: set it to '$mailer' there to send through o365 by default.");
        }
        if ($changed === [] && $outcome === 'present') {
            $this->info('Nothing to change: .env and config/mail.php already hold these settings.');
        }
        if ($outcome === 'snippet') {
            return self::FAILURE;
        }
        if ($this->option('no-check')) {
            return self::SUCCESS;
        }
        $this->newLine();
        $this->line("Checking: php artisan o365:check --mailer=$mailer");

        return $this->call('o365:check', ['--mailer' => $mailer]);
    }

    /**
     * Every answer, from its option, else a prompt (interactive), else the value .env has
     * now (a re-run). Null after printing what is missing or malformed.
     *
     * @return array{tenant: string, client_id: string, credential: array<string, ?string>, mailbox: string, cloud: string, endpoints: array<string, ?string>, default: bool}|null
     */
    private function answers(#[\SensitiveParameter] array $current): ?array
    {
        $interactive = $this->input->isInteractive();
        $fields = [
            'tenant' => ['O365_TENANT_ID', 'Directory (tenant) ID', Format::tenantProblem(...), 'Entra admin center > Identity > Applications > App registrations > (your app) > Overview'],
            'client-id' => ['O365_CLIENT_ID', 'Application (client) ID', Format::clientIdProblem(...), 'On the same Overview page'],
            'mailbox' => ['O365_MAILBOX', 'Sending mailbox', Format::mailboxProblem(...), 'A licensed or shared mailbox of the tenant, e.g. noreply@contoso.com'],
        ];
        $answers = [];
        $errors = [];
        foreach ($fields as $option => [$key, $label, $problem, $hint]) {
            $value = $this->option($option);
            $default = (string) ($current[$key] ?? ($option === 'mailbox' ? $this->fromAddress() : ''));
            if ($value === null && $interactive) {
                $value = $this->promptText($label, $default, $problem, $hint);
            }
            $value = trim((string) ($value ?? $default));
            if ($value === '') {
                $errors[] = "--$option is missing: the $label ($hint).";
            } elseif (($why = $problem($value)) !== null) {
                $errors[] = "--$option: $why";
            }
            $answers[$option === 'client-id' ? 'client_id' : $option] = $value;
        }
        $answers['credential'] = $this->credentialKeys($current, $interactive, $errors);
        $answers['cloud'] = $this->cloudAnswer($current, $interactive, $errors);
        $answers['endpoints'] = $this->endpointAnswers($errors);
        $answers['default'] = (bool) $this->option('default') || ($interactive && ($current['MAIL_MAILER'] ?? null) !== 'o365'
            && $this->promptConfirm('Make o365 the default mailer (MAIL_MAILER=o365)?'));
        foreach ($errors as $error) {
            $this->error($error);
        }

        return $errors === [] ? $answers : null;
    }

    /**
     * `--emulator[=URL]`: both endpoints at the emulator, and its defaults for the tenant,
     * client id, secret and mailbox that neither an option nor (mailbox) .env gives.
     */
    private function emulatorDefaults(array $current): void
    {
        if (!$this->input->hasParameterOption('--emulator')) {
            return;
        }
        $url = $this->option('emulator');
        $url = is_string($url) && $url !== '' ? $url : self::EMULATOR['url'];
        foreach (['login-endpoint' => $url, 'graph-endpoint' => $url] + self::EMULATOR as $option => $value) {
            if ($option === 'url' || $this->option($option) !== null || ($option === 'mailbox' && (($current['O365_MAILBOX'] ?? '') !== '' || $this->fromAddress() !== ''))) {
                continue;
            }
            $this->input->setOption($option, $value);
        }
    }

    /**
     * O365_LOGIN_ENDPOINT / O365_GRAPH_ENDPOINT from their options: a URL sets it, an empty
     * value removes it; without the option .env stays as it is.
     *
     * @return array<string, ?string>
     */
    private function endpointAnswers(array &$errors): array
    {
        $keys = [];
        foreach (['login-endpoint' => 'O365_LOGIN_ENDPOINT', 'graph-endpoint' => 'O365_GRAPH_ENDPOINT'] as $option => $key) {
            $value = $this->option($option);
            if ($value === null) {
                continue;
            }
            $value = rtrim(trim((string) $value), '/');
            if ($value !== '' && (preg_match('#^https?://[^/\s]+#i', $value) !== 1 || parse_url($value) === false)) {
                $errors[] = "--$option: `$value` is not an http(s) URL (a local o365-emulator's is ".self::EMULATOR['url'].').';
            }
            $keys[$key] = $value === '' ? null : $value;
        }

        return $keys;
    }

    private function cloudAnswer(array $current, bool $interactive, array &$errors): string
    {
        $clouds = \O365\Config::clouds();
        $value = $this->option('cloud');
        $default = (string) ($current['O365_CLOUD'] ?? 'global');
        if ($value === null && $interactive) {
            $value = $this->promptSelect('Microsoft cloud', $clouds, isset($clouds[$default]) ? $default : 'global');
        }
        $value = strtolower(trim((string) ($value ?? $default)));
        if (!isset($clouds[$value])) {
            $errors[] = "--cloud=$value: use one of ".implode(', ', array_keys($clouds)).'.';
        }

        return $value;
    }

    /**
     * Writes the keys that differ; returns their names. O365_CLOUD only when it is not
     * global or already set; MAIL_FROM_ADDRESS only while it is unset or Laravel's example.
     *
     * @return list<string>
     */
    private function writeEnv(EnvFile $env, #[\SensitiveParameter] array $answers, #[\SensitiveParameter] array $current): array
    {
        $keys = ['O365_TENANT_ID' => $answers['tenant'], 'O365_CLIENT_ID' => $answers['client_id']] + $answers['credential'];
        $keys['O365_MAILBOX'] = $answers['mailbox'];
        $keys += $answers['endpoints'];
        if ($answers['cloud'] !== 'global' || isset($current['O365_CLOUD'])) {
            $keys['O365_CLOUD'] = $answers['cloud'];
        }
        if ($answers['default']) {
            $keys['MAIL_MAILER'] = 'o365';
        }
        $from = $current['MAIL_FROM_ADDRESS'] ?? '';
        if ($from === '' || $from === 'hello@example.com') {
            $keys['MAIL_FROM_ADDRESS'] = $answers['mailbox'];
        } elseif (strcasecmp($from, $answers['mailbox']) !== 0) {
            $this->warn("MAIL_FROM_ADDRESS is $from, not the mailbox: Graph refuses such mail (403 ErrorSendAsDenied) unless {$answers['mailbox']} has Send As permission for $from.");
        }
        $changed = array_keys(array_filter($keys, static fn (?string $v, string $k) => $v === null ? $env->remove($k) : $env->set($k, $v), ARRAY_FILTER_USE_BOTH));
        if ($changed !== [] && $env->save()) {
            $hidden = ['O365_CLIENT_SECRET', 'O365_CLIENT_CERTIFICATE_PASSWORD'];
            $shown = array_map(static fn (string $k) => $keys[$k] === null ? "removed $k" : (in_array($k, $hidden, true) ? "$k (hidden)" : "$k={$keys[$k]}"), $changed);
            $this->info('Wrote to '.basename($this->laravel->environmentFilePath()).': '.implode(', ', $shown));
        }
        if ($this->laravel->configurationIsCached()) {
            $this->warn('The configuration is cached: run `php artisan config:cache` (or config:clear) so the application reads the new .env.');
        }

        return $changed;
    }

    /**
     * What a fresh process would load: the changed keys in the environment (unless the
     * process environment set them, which wins over .env), config/mail.php and the o365
     * config re-read.
     *
     * @param list<string> $changed
     */
    private function reload(array $changed, #[\SensitiveParameter] array $before): void
    {
        $now = (new EnvFile($this->laravel->environmentFilePath()))->values();
        foreach ($changed as $key) {
            $live = $_SERVER[$key] ?? $_ENV[$key] ?? getenv($key);
            if ($live !== false && $live !== null && $live !== ($before[$key] ?? null)) {
                $this->warn("$key is set in the process environment, which takes precedence over .env: change it there too.");
                continue;
            }
            if (!isset($now[$key])) {
                unset($_ENV[$key], $_SERVER[$key]);
                putenv($key);
                continue;
            }
            $_ENV[$key] = $_SERVER[$key] = $now[$key];
            putenv("$key={$now[$key]}");
        }
        $config = $this->laravel['config'];
        if (is_file($mail = $this->laravel->configPath('mail.php'))) {
            $config->set('mail', require $mail);
        }
        $published = $this->laravel->configPath('o365.php');
        $config->set('o365', array_merge(require __DIR__.'/../../../config/o365.php', is_file($published) ? require $published : []));
        // The factory read the old config when it was made: the check must use the new one.
        $this->laravel->forgetInstance(MailerFactory::class);
    }

    /** MAIL_FROM_ADDRESS as a suggestion for the mailbox, unless it is Laravel's example. */
    private function fromAddress(): string
    {
        $from = (string) $this->laravel['config']->get('mail.from.address', '');

        return $from === 'hello@example.com' ? '' : $from;
    }
}
