<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Tests\Laravel\Fixtures\WelcomeMail;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelApp;
use PHPUnit\Framework\TestCase;

/** Keys missing from the mailer entry come from config/o365.php and its O365_* env variables. */
final class ConfigFallbackTest extends TestCase
{
    private const ENV = ['O365_TENANT_ID', 'O365_CLIENT_ID', 'O365_CLIENT_SECRET', 'O365_MAILBOX', 'O365_LOGIN_ENDPOINT', 'O365_GRAPH_ENDPOINT', 'O365_MAX_RETRIES', 'O365_DEADLINE'];

    protected function tearDown(): void
    {
        foreach (self::ENV as $name) {
            putenv($name);
            unset($_ENV[$name], $_SERVER[$name]);
        }
        \Illuminate\Support\Facades\Facade::clearResolvedInstances();
    }

    public function testEnvVariablesConfigureABareMailerEntry(): void
    {
        $emulator = new Emulator(['--allowed-mailbox', 'noreply@contoso.com', '--send-as', 'noreply@contoso.com=sender@contoso.com']);
        foreach (['O365_TENANT_ID' => Emulator::TENANT_ID, 'O365_CLIENT_ID' => Emulator::CLIENT_ID, 'O365_CLIENT_SECRET' => Emulator::CLIENT_SECRET,
            'O365_MAILBOX' => 'noreply@contoso.com', 'O365_LOGIN_ENDPOINT' => $emulator->baseUrl, 'O365_GRAPH_ENDPOINT' => $emulator->baseUrl, 'O365_MAX_RETRIES' => '1'] as $k => $v) {
            putenv("$k=$v");
        }
        $app = LaravelApp::create();
        // The fixture's mailer entry reads the same env names; a bare entry must work too.
        $app['config']->set('mail.mailers.o365', ['transport' => 'o365']);

        $this->assertSame('noreply@contoso.com', $app['config']->get('o365.mailbox'), 'config/o365.php is merged');
        Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));

        $m = $emulator->messages()[0] ?? null;
        $this->assertNotNull($m);
        $this->assertSame('noreply@contoso.com', $m['mailbox']);
        $app->flush();
    }

    public function testMailerEntryOverridesConfigFile(): void
    {
        $emulator = new Emulator();
        $app = LaravelApp::create();
        // Entry keys win over config/o365.php; a null entry key (unset env) falls back to it.
        $app['config']->set('o365', ['tenant_id' => 'wrong-tenant', 'client_id' => 'wrong-client', 'client_secret' => Emulator::CLIENT_SECRET, 'mailbox' => null, 'max_retries' => 0]);
        $app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'client_secret' => null] + $emulator->config());

        Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));

        $this->assertCount(1, $emulator->messages());
        $app->flush();
    }

    public function testConfigErrorsNameTheKey(): void
    {
        $emulator = new Emulator();
        $app = LaravelApp::create();
        $app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'client_secet' => 'typo'] + $emulator->config());
        try {
            Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected a configuration error');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $config = $e->getPrevious();
            $this->assertInstanceOf(\O365\ConfigurationException::class, $config);
            $this->assertSame('client_secet', $config->getConfigKey());
            $this->assertStringContainsString('unknown config key `client_secet` (did you mean `client_secret`?)', $e->getMessage());
        }
        $app->flush();
    }

    public function testAMisspelledKeyIsRejectedEvenWhenItsValueIsNull(): void
    {
        $emulator = new Emulator();
        $app = LaravelApp::create();
        // `'mailbx' => env('O365_MAILBOX')` with the variable unset.
        $app['config']->set('mail.mailers.o365', ['transport' => 'o365', 'mailbx' => null] + $emulator->config());
        try {
            Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected a configuration error');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $this->assertSame('mailbx', $e->getPrevious()?->getConfigKey());
            $this->assertStringContainsString('unknown config key `mailbx` (did you mean `mailbox`?)', $e->getMessage());
            $this->assertStringContainsString('Fix: rename `mailbx` to `mailbox`', $e->getMessage());
        }
        $this->assertSame([], $emulator->messages());
        $app->flush();
    }

    public function testConfigO365ReadsEveryKeyTheExtensionKnowsAndNoOther(): void
    {
        try {
            new \O365\Mailer(['no_such_key' => 1]);
            $this->fail('expected a configuration error');
        } catch (\O365\ConfigurationException $e) {
            preg_match('/known keys: ([a-z_, ]+)/', $e->getMessage(), $m);
            $known = explode(', ', $m[1] ?? '');
        }
        $file = require dirname(__DIR__, 3).'/php/config/o365.php';
        // redis_connection is the package's own: it becomes the extension's redis_url.
        $this->assertSame([], array_diff(array_keys($file), $known, ['redis_connection']), 'config/o365.php has only keys the extension knows (an unknown one fails every send)');
        // The keys of docs/contracts.md; the certificate's fine print and managed_identity_endpoint stay per mailer.
        $optional = ['client_certificate_algorithm', 'client_certificate_send_chain', 'managed_identity_endpoint'];
        $this->assertSame([], array_diff($known, array_keys($file), $optional), 'config/o365.php offers every key of docs/contracts.md with its env variable');
    }

    public function testDeadlineComesFromTheEnvironment(): void
    {
        $emulator = new Emulator();
        putenv('O365_DEADLINE=soon');
        $app = LaravelApp::create();
        $this->assertSame('soon', $app['config']->get('o365.deadline'));
        $app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $emulator->config());
        try {
            Mail::to('ann@example.com')->send(new WelcomeMail('Ann'));
            $this->fail('expected a configuration error');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $this->assertSame('deadline', $e->getPrevious()?->getConfigKey(), 'O365_DEADLINE reached the extension');
        }
        $app->flush();
    }

    public function testPublishableConfigFile(): void
    {
        $app = LaravelApp::create();
        $kernel = $app->make(\Illuminate\Contracts\Console\Kernel::class);
        $code = $kernel->call('vendor:publish', ['--tag' => 'o365-config']);

        $this->assertSame(0, $code, $kernel->output());
        $this->assertFileEquals(dirname(__DIR__, 3).'/php/config/o365.php', $app->configPath('o365.php'));
        $app->flush();
    }
}
