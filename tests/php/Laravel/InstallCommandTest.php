<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Foundation\Application;
use Illuminate\Support\Facades\Facade;
use Illuminate\Support\Facades\Mail;
use O365\Laravel\Console\EnvFile;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelApp;
use O365\Tests\Support\TestCerts;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Console\Input\ArrayInput;
use Symfony\Component\Console\Output\BufferedOutput;

/**
 * `php artisan o365:install` on a fresh copy of the fixture app with Laravel's own
 * config/mail.php and a .env of its own: what it writes, that the check passes against
 * the emulator, that a re-run changes no byte, and how it refuses malformed answers.
 */
final class InstallCommandTest extends TestCase
{
    private const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    private const SECRET = 'Qx~8Q~s3cr3t.Value_from-Entra';

    private Emulator $emulator;
    private string $base;
    private ?Application $app = null;
    private BufferedOutput $output;

    protected function setUp(): void
    {
        self::forgetEnvironment();
        $this->emulator = new Emulator(['--client-secret', self::SECRET, '--certificate', TestCerts::path('app.crt')]);
        $this->base = LaravelApp::basePath();
        copy(__DIR__.'/Fixtures/stock-mail.php', "$this->base/config/mail.php");
        file_put_contents("$this->base/.env", $this->userEnv());
    }

    protected function tearDown(): void
    {
        $this->forgetApp();
        self::forgetEnvironment();
        unset($this->emulator);
    }

    public function testFreshAppNonInteractive(): void
    {
        [$code, $out] = $this->install(['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--secret' => self::SECRET, '--mailbox' => 'sender@contoso.com', '--default' => true]);

        $this->assertSame(0, $code, $out);
        $this->assertSame($this->expectedInPlace(), $this->read('.env'), 'MAIL_MAILER and MAIL_FROM_ADDRESS changed where they stand, the O365_* keys appended, nothing else touched');
        $mail = $this->read('config/mail.php');
        $this->assertStringContainsString("    'mailers' => [\n        'o365' => [\n            'transport' => 'o365',\n", $mail);
        $this->assertStringContainsString("        'smtp' => [", $mail, 'the other mailers stay');
        $this->assertSame(
            str_replace("\n    'mailers' => [\n", "\n    'mailers' => [\n        'o365' => [\n            'transport' => 'o365',\n            // tenant_id, client_id, client_secret, mailbox: config/o365.php (O365_* in .env)\n        ],\n", (string) file_get_contents(__DIR__.'/Fixtures/stock-mail.php')),
            $mail,
            'nothing else in mail.php changed'
        );
        $this->assertStringContainsString('Wrote to .env: O365_TENANT_ID='.self::TENANT.', O365_CLIENT_ID='.Emulator::CLIENT_ID.', O365_CLIENT_SECRET (hidden), O365_MAILBOX=sender@contoso.com, MAIL_MAILER=o365, MAIL_FROM_ADDRESS=sender@contoso.com', $out);
        $this->assertStringContainsString('Added the `o365` mailer to config/mail.php.', $out);
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
        $this->assertStringNotContainsString(self::SECRET, $out);

        // A new process reads what was written: the default mailer sends through Graph.
        $this->forgetApp();
        self::forgetEnvironment();
        $this->boot();
        Mail::raw('installed', static fn ($m) => $m->to('someone@example.com')->subject('first mail'));
        $messages = $this->emulator->messages();
        $this->assertCount(1, $messages);
        $this->assertSame('sender@contoso.com', $messages[0]['mailbox']);
        $this->assertSame('first mail', $messages[0]['subject']);
    }

    public function testReRunChangesNothing(): void
    {
        $options = ['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--secret' => self::SECRET, '--mailbox' => 'sender@contoso.com', '--default' => true];
        [$code, $out] = $this->install($options);
        $this->assertSame(0, $code, $out);
        $hashes = $this->hashes();

        foreach ([$options, []] as $again) { // the same answers, then none (kept from .env)
            $this->forgetApp();
            self::forgetEnvironment();
            [$code, $out] = $this->install($again);
            $this->assertSame(0, $code, $out);
            $this->assertStringContainsString('Nothing to change', $out);
            $this->assertStringNotContainsString('Wrote to', $out);
            $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
            $this->assertSame($hashes, $this->hashes(), 're-running changes no file');
        }
    }

    public function testAnswerChangedOnReRunIsReplacedInPlace(): void
    {
        $this->install(['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--secret' => self::SECRET, '--mailbox' => 'sender@contoso.com']);
        $this->forgetApp();
        self::forgetEnvironment();
        [$code, $out] = $this->install(['--mailbox' => 'noreply@contoso.com']);

        $this->assertSame(0, $code, $out);
        $env = $this->read('.env');
        $this->assertSame(1, substr_count($env, 'O365_MAILBOX='));
        $this->assertStringContainsString("O365_MAILBOX=noreply@contoso.com\n", $env);
        $this->assertStringContainsString('O365_CLIENT_SECRET='.self::SECRET."\n", $env, 'the secret is kept');
        $this->assertStringContainsString('MAIL_FROM_ADDRESS=sender@contoso.com', $env, 'a From address the user set is not overwritten');
        $this->assertStringContainsString('MAIL_FROM_ADDRESS is sender@contoso.com, not the mailbox', $out);
        $this->assertStringContainsString('ErrorSendAsDenied', $out);
        $this->assertStringContainsString('OK: ready to send as noreply@contoso.com', $out);
    }

    public function testRealArtisanProcessReadsTheSecretFromStdin(): void
    {
        $project = dirname(__DIR__, 3);
        file_put_contents("$this->base/artisan", "<?php\nrequire '$project/tests/php/bootstrap-testbed.php';\n"
            ."\$kernel = \\O365\\Tests\\Support\\LaravelApp::create(__DIR__)->make(Illuminate\\Contracts\\Console\\Kernel::class);\n"
            ."exit(\$kernel->handle(new Symfony\\Component\\Console\\Input\\ArgvInput(), new Symfony\\Component\\Console\\Output\\ConsoleOutput()));\n");
        $extension = getenv('O365_EXTENSION') ?: (string) realpath($project.'/target/debug/libo365.so');
        $cmd = [PHP_BINARY, '-d', "extension=$extension", "$this->base/artisan", 'o365:install', '--no-interaction',
            '--tenant='.self::TENANT, '--client-id='.Emulator::CLIENT_ID, '--secret=-', '--mailbox=sender@contoso.com'];
        $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $this->base);
        fwrite($pipes[0], self::SECRET."\n");
        fclose($pipes[0]);
        $out = stream_get_contents($pipes[1]).stream_get_contents($pipes[2]);
        $code = proc_close($proc);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('O365_CLIENT_SECRET='.self::SECRET."\n", $this->read('.env'));
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
        $this->assertStringNotContainsString(self::SECRET, $out);
    }

    public function testSwitchingToACertificateRemovesTheSecret(): void
    {
        $base = ['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--mailbox' => 'sender@contoso.com'];
        $this->install($base + ['--secret' => self::SECRET]);
        $this->forgetApp();
        self::forgetEnvironment();
        [$code, $out] = $this->install(['--certificate' => TestCerts::path('app.pem')]);

        $this->assertSame(0, $code, $out);
        $env = $this->read('.env');
        $this->assertStringContainsString('O365_CLIENT_CERTIFICATE='.TestCerts::path('app.pem')."\n", $env);
        $this->assertStringNotContainsString('O365_CLIENT_SECRET', $env, 'exactly one credential');
        $this->assertStringContainsString('removed O365_CLIENT_SECRET', $out);
        $this->assertStringContainsString('credential: certificate', $out);
        $this->assertMatchesRegularExpression('#certificate:\s+'.preg_quote(TestCerts::path('app.pem'), '#').'\n#', $out);
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
        $this->assertStringNotContainsString(TestCerts::keyLine('app.key'), $out);

        $hashes = $this->hashes();
        $this->forgetApp();
        self::forgetEnvironment();
        [$code, $out] = $this->install([]);
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Nothing to change', $out);
        $this->assertSame($hashes, $this->hashes(), 'a re-run keeps the certificate and changes nothing');

        // And back to a secret: the certificate keys go.
        $this->forgetApp();
        self::forgetEnvironment();
        [$code, $out] = $this->install(['--secret' => self::SECRET]);
        $this->assertSame(0, $code, $out);
        $this->assertStringNotContainsString('O365_CLIENT_CERTIFICATE', $this->read('.env'));
        $this->assertStringContainsString('O365_CLIENT_SECRET (hidden), removed O365_CLIENT_CERTIFICATE', $out);
    }

    public function testEncryptedKeyNeedsItsPassword(): void
    {
        $base = ['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--mailbox' => 'sender@contoso.com',
            '--certificate' => TestCerts::path('app.crt'), '--certificate-key' => TestCerts::path('app-enc.key')];
        [$code, $out] = $this->install($base);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('--certificate-password is missing: the key is encrypted', $out);

        [$code, $out] = $this->install($base + ['--certificate-password' => 'test-password']);
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('O365_CLIENT_CERTIFICATE_PASSWORD (hidden)', $out);
        $this->assertStringNotContainsString('test-password', $out);
        $this->assertStringContainsString("O365_CLIENT_CERTIFICATE_KEY=".TestCerts::path('app-enc.key')."\n", $this->read('.env'));
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
    }

    public function testFilesThatAreNoCertificate(): void
    {
        $base = ['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--mailbox' => 'sender@contoso.com'];
        [$code, $out] = $this->install($base + ['--certificate' => "$this->base/nope.pem"]);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString("--certificate `$this->base/nope.pem` is not a readable file.", $out);

        [$code, $out] = $this->install($base + ['--certificate' => TestCerts::path('app.crt')]);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('holds no private key: add it to the file or give its file with --certificate-key', $out);

        [$code, $out] = $this->install($base + ['--certificate' => TestCerts::path('app.key')]);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('holds no PEM certificate', $out);
    }

    public function testCustomisedMailConfigGetsTheSnippetAndIsLeftAlone(): void
    {
        $custom = "<?php\n\n\$mailers = ['log' => ['transport' => 'log']];\n\nreturn ['default' => env('MAIL_MAILER', 'log'), 'mailers' => \$mailers, 'from' => ['address' => env('MAIL_FROM_ADDRESS'), 'name' => 'x']];\n";
        file_put_contents("$this->base/config/mail.php", $custom);
        [$code, $out] = $this->install(['--tenant' => 'contoso.onmicrosoft.com', '--client-id' => Emulator::CLIENT_ID, '--secret' => self::SECRET, '--mailbox' => 'sender@contoso.com']);

        $this->assertSame(1, $code, $out);
        $this->assertSame($custom, $this->read('config/mail.php'));
        $this->assertStringContainsString('config/mail.php is customised, so it was left alone', $out);
        $this->assertStringContainsString("        'o365' => [\n            'transport' => 'o365',\n", $out);
        $this->assertStringContainsString("O365_TENANT_ID=contoso.onmicrosoft.com\n", $this->read('.env'), '.env is written all the same');
    }

    public function testMalformedAnswersAreRefusedAndNothingIsWritten(): void
    {
        $before = $this->hashes();
        [$code, $out] = $this->install(['--tenant' => 'common', '--client-id' => 'my-app', '--secret' => '0c2d7f0e-6a1b-4a45-9f1e-3d2c1b0a9f8e', '--mailbox' => 'Contoso App', '--cloud' => 'mars']);

        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('--tenant: `common` does not name one tenant', $out);
        $this->assertStringContainsString('--client-id: `my-app` is not an Application (client) ID', $out);
        $this->assertStringContainsString('--secret: The client secret is a GUID, which is what the Secret ID column shows: copy the Value column instead', $out);
        $this->assertStringContainsString('--mailbox: `Contoso App` is not an email address', $out);
        $this->assertStringContainsString('--cloud=mars: use one of global, usgov, usgov-dod, china.', $out);
        $this->assertStringNotContainsString('0c2d7f0e-6a1b-4a45-9f1e-3d2c1b0a9f8e', $out, 'not even a wrong secret is echoed');
        $this->assertSame($before, $this->hashes());

        [$code, $out] = $this->install([]);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('--tenant is missing', $out);
        $this->assertStringContainsString('--secret is missing', $out);
    }

    public function testInteractive(): void
    {
        [$code, $out] = $this->answer([self::TENANT, Emulator::CLIENT_ID, 'sender@contoso.com', 'secret', self::SECRET, 'global', 'yes']);

        $this->assertSame(0, $code, $out);
        foreach (['Directory (tenant) ID', 'Application (client) ID', 'Sending mailbox', 'Credential', 'Client secret Value (not the Secret ID)', 'Microsoft cloud', 'Make o365 the default mailer (MAIL_MAILER=o365)?'] as $question) {
            $this->assertStringContainsString($question, $out);
        }
        $this->assertStringNotContainsString(self::SECRET, $out);
        $this->assertSame($this->expectedInPlace("APP_ENV=testing\n"), $this->read('.env'));
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
    }

    public function testInteractiveRefusesASecretId(): void
    {
        $before = $this->hashes();
        try {
            $this->answer([self::TENANT, Emulator::CLIENT_ID, 'sender@contoso.com', 'secret', '0c2d7f0e-6a1b-4a45-9f1e-3d2c1b0a9f8e']);
            $this->fail('a Secret ID is refused');
        } catch (\Illuminate\Console\PromptValidationException) {
            // Under unit tests Laravel's prompt fallback throws where a terminal would ask again.
        }
        $this->assertStringContainsString('The client secret is a GUID, which is what the Secret ID column shows: copy the Value column instead', $this->output->fetch());
        $this->assertSame("APP_ENV=testing\n".$this->userEnv(), $this->read('.env'), 'nothing is written');
        $this->assertSame($before['mail.php'], $this->hashes()['mail.php']);
    }

    /**
     * Runs o365:install interactively with these lines as the answers (APP_ENV=testing: Laravel
     * then asks through the Console's question helper, which reads the input stream).
     *
     * @return array{0: int, 1: string}
     */
    private function answer(array $lines): array
    {
        file_put_contents("$this->base/.env", "APP_ENV=testing\n".$this->userEnv());
        $this->boot();
        $command = $this->app->make(\Illuminate\Contracts\Console\Kernel::class)->all()['o365:install'];
        $stream = fopen('php://memory', 'r+');
        fwrite($stream, implode("\n", $lines)."\n");
        rewind($stream);
        $input = new ArrayInput([]);
        $input->setStream($stream);
        $this->output = new BufferedOutput();
        $code = $command->run($input, $this->output);

        return [$code, $this->output->fetch()];
    }

    public function testEmulatorOptionWritesItsEndpointsAndDefaults(): void
    {
        $emulator = new Emulator(); // the emulator's own defaults: any tenant, client ...0001, emulator-secret
        file_put_contents("$this->base/.env", "APP_NAME=Shop\nMAIL_MAILER=log\nMAIL_FROM_ADDRESS=\"hello@example.com\"\n");
        [$code, $out] = $this->install(['--emulator' => $emulator->baseUrl, '--default' => true]);

        $this->assertSame(0, $code, $out);
        $env = $this->read('.env');
        foreach (['O365_TENANT_ID=contoso.onmicrosoft.com', 'O365_CLIENT_ID=00000000-0000-0000-0000-000000000001', 'O365_CLIENT_SECRET=emulator-secret',
            'O365_MAILBOX=noreply@contoso.com', "O365_LOGIN_ENDPOINT=$emulator->baseUrl", "O365_GRAPH_ENDPOINT=$emulator->baseUrl", 'MAIL_MAILER=o365'] as $line) {
            $this->assertStringContainsString("$line\n", $env);
        }
        $this->assertStringContainsString('OK: ready to send as noreply@contoso.com', $out);

        $this->forgetApp();
        self::forgetEnvironment();
        $this->boot();
        Mail::raw('hello', static fn ($m) => $m->to('dev@example.com')->subject('to the emulator'));
        $this->assertSame('to the emulator', $emulator->messages()[0]['subject'] ?? null, 'the default mailer sends to the emulator');
    }

    public function testEndpointOptionsSetAndRemoveTheEndpoints(): void
    {
        file_put_contents("$this->base/.env", "MAIL_MAILER=log\n");
        $options = ['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--secret' => self::SECRET, '--mailbox' => 'sender@contoso.com'];
        [$code, $out] = $this->install($options + ['--login-endpoint' => $this->emulator->baseUrl.'/', '--graph-endpoint' => $this->emulator->baseUrl]);
        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString("O365_LOGIN_ENDPOINT={$this->emulator->baseUrl}, O365_GRAPH_ENDPOINT={$this->emulator->baseUrl}", $out, 'written without the trailing slash');
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out, 'checked against the emulator, not Microsoft');

        [$code, $out] = $this->install(['--graph-endpoint' => 'localhost:8365']);
        $this->assertSame(2, $code, $out);
        $this->assertStringContainsString('--graph-endpoint: `localhost:8365` is not an http(s) URL (a local o365-emulator\'s is http://127.0.0.1:8365).', $out);

        $this->forgetApp();
        self::forgetEnvironment();
        [, $out] = $this->install(['--login-endpoint' => '', '--graph-endpoint' => '', '--no-check' => true]);
        $this->assertStringContainsString('removed O365_LOGIN_ENDPOINT, removed O365_GRAPH_ENDPOINT', $out);
        $this->assertStringNotContainsString('ENDPOINT', $this->read('.env'), 'back to the cloud\'s own endpoints');
    }

    public function testChecksTheMailerItWroteNotAnotherO365Mailer(): void
    {
        // Another application's mailer comes first: its own tenant, credential and mailbox.
        $mail = str_replace("    'mailers' => [\n", "    'mailers' => [\n        'newsletter' => ['transport' => 'o365', 'tenant_id' => 'fabrikam.onmicrosoft.com', "
            ."'client_id' => '11111111-2222-3333-4444-555555555555', 'client_secret' => 'other-app-secret', 'mailbox' => 'news@fabrikam.com'],\n",
            (string) file_get_contents(__DIR__.'/Fixtures/stock-mail.php'));
        file_put_contents("$this->base/config/mail.php", $mail);
        [$code, $out] = $this->install(['--tenant' => self::TENANT, '--client-id' => Emulator::CLIENT_ID, '--secret' => self::SECRET, '--mailbox' => 'sender@contoso.com']);

        $this->assertSame(0, $code, $out);
        $this->assertStringContainsString('Added the `o365` mailer to config/mail.php.', $out);
        $this->assertStringContainsString('Checking: php artisan o365:check --mailer=o365', $out);
        $this->assertStringContainsString('OK: ready to send as sender@contoso.com', $out);
        $this->assertStringNotContainsString('fabrikam', $out);

        // An `o365` mailer that sets its own mailbox does not use .env either: say which keys.
        $this->forgetApp();
        self::forgetEnvironment();
        file_put_contents("$this->base/config/mail.php", str_replace("'transport' => 'o365',\n", "'transport' => 'o365', 'mailbox' => 'old@contoso.com',\n", $this->read('config/mail.php')));
        [$code, $out] = $this->install([]);
        $this->assertSame(1, $code, $out);
        $this->assertStringContainsString('The `o365` mailer in config/mail.php sets mailbox itself, so it does not send with what was just written to .env: remove mailbox from it', $out);
    }

    public function testEnvValuesAreQuotedWhenDotenvNeedsIt(): void
    {
        $path = "$this->base/.env";
        file_put_contents($path, "A=1\n# comment\nexport KEEP='x y'\n");
        $env = new EnvFile($path);
        $values = ['plain' => 'Qx~8Q~abc.DEF_ghi-jkl', 'space' => 'a b', 'hash' => 'a#b', 'dollar' => 'a$b${A}', 'quote' => "it's \"q\" \\ \$x", 'empty' => ''];
        foreach ($values as $k => $v) {
            $this->assertTrue($env->set('K_'.strtoupper($k), $v));
        }
        $this->assertTrue($env->save());
        $text = $this->read('.env');
        $this->assertStringStartsWith("A=1\n# comment\nexport KEEP='x y'\nK_PLAIN=Qx~8Q~abc.DEF_ghi-jkl\nK_SPACE='a b'\n", $text);
        $parsed = \Dotenv\Dotenv::parse($text);
        foreach ($values as $k => $v) {
            $this->assertSame($v, $parsed['K_'.strtoupper($k)], "round trip of $k");
        }
        $this->assertFalse((new EnvFile($path))->set('K_SPACE', 'a b'), 'the same value is no change');
    }

    private function userEnv(): string
    {
        return "APP_NAME=\"Contoso Shop\"\n\n# Mail (the o365 endpoints point at the emulator)\nMAIL_MAILER=log\nMAIL_FROM_ADDRESS=\"hello@example.com\"\nMAIL_FROM_NAME=\"\${APP_NAME}\"\n"
            ."O365_LOGIN_ENDPOINT={$this->emulator->baseUrl}\nO365_GRAPH_ENDPOINT={$this->emulator->baseUrl}\nO365_MAX_RETRIES=1\n";
    }

    private function expectedInPlace(string $prefix = ''): string
    {
        return $prefix.str_replace(["MAIL_MAILER=log\n", 'MAIL_FROM_ADDRESS="hello@example.com"'], ["MAIL_MAILER=o365\n", 'MAIL_FROM_ADDRESS=sender@contoso.com'], $this->userEnv())
            .'O365_TENANT_ID='.self::TENANT."\n"
            .'O365_CLIENT_ID='.Emulator::CLIENT_ID."\n"
            .'O365_CLIENT_SECRET='.self::SECRET."\n"
            ."O365_MAILBOX=sender@contoso.com\n";
    }

    /** @return array{0: int, 1: string} */
    private function install(array $options): array
    {
        $this->app ??= $this->boot();
        $output = new BufferedOutput();
        $code = $this->app->make(\Illuminate\Contracts\Console\Kernel::class)->call('o365:install', $options + ['--no-interaction' => true], $output);

        return [$code, $output->fetch()];
    }

    private function boot(): Application
    {
        return $this->app = LaravelApp::create($this->base);
    }

    private function forgetApp(): void
    {
        if ($this->app !== null) {
            $this->app->flush();
            Facade::clearResolvedInstances();
            Facade::setFacadeApplication(null);
            $this->app = null;
        }
    }

    private function read(string $file): string
    {
        return (string) file_get_contents("$this->base/$file");
    }

    /** @return array<string, string> */
    private function hashes(): array
    {
        return ['.env' => hash_file('sha256', "$this->base/.env"), 'mail.php' => hash_file('sha256', "$this->base/config/mail.php")];
    }

    /** .env values land in the process environment, where Laravel's immutable loader would keep them for the next app. */
    private static function forgetEnvironment(): void
    {
        foreach (['O365_TENANT_ID', 'O365_CLIENT_ID', 'O365_CLIENT_SECRET', 'O365_CLIENT_CERTIFICATE', 'O365_CLIENT_CERTIFICATE_KEY', 'O365_CLIENT_CERTIFICATE_PASSWORD', 'O365_MAILBOX', 'O365_CLOUD', 'O365_LOGIN_ENDPOINT', 'O365_GRAPH_ENDPOINT', 'O365_MAX_RETRIES', 'MAIL_MAILER', 'MAIL_FROM_ADDRESS', 'MAIL_FROM_NAME', 'APP_NAME', 'APP_ENV'] as $key) {
            unset($_SERVER[$key], $_ENV[$key]);
            putenv($key);
        }
    }
}
