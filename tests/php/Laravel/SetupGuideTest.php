<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Facade;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\LaravelApp;
use O365\Tests\Support\TestCerts;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Console\Output\BufferedOutput;

/**
 * Every output docs/microsoft-365-setup.md quotes comes from a run here: each misstep of the
 * setup is made against the emulator and the real Artisan command's output must equal the
 * guide's block (after replacing the emulator's address with Microsoft's hosts and the
 * per-request ids and times with placeholders). After changing a message, refresh the guide:
 *
 *     O365_UPDATE_GUIDE=1 php -d extension=target/debug/libo365.so /usr/bin/phpunit tests/php/Laravel/SetupGuideTest.php
 */
final class SetupGuideTest extends TestCase
{
    private const GUIDE = __DIR__.'/../../../docs/microsoft-365-setup.md';
    private const TENANT = 'b9e4c3a2-5f61-4d8e-a7c0-3e2f1d0c9b8a';
    private const CLIENT = '6f1d0a7e-2b4c-4e9a-8d3f-1c5b7a9e0f2d';
    private const SECRET = 'kJ8Q~example.Value-of_the.secret';
    private const SECRET_ID = 'd4c3b2a1-0f9e-4d8c-b7a6-958473625140';
    private const MAILBOX = 'noreply@contoso.com';

    /**
     * id => [emulator options, mailer config overrides, command, its arguments].
     *
     * @return array<string, array{0: list<string>, 1: array, 2: string, 3: array}>
     */
    private static function scenarios(): array
    {
        $check = 'o365:check';
        $send = ['o365:send-test', ['to' => 'you@example.com']];

        return [
            'ready.check' => [[], [], $check, []],
            'ready.send' => [[], [], ...$send],
            'wrong-tenant.check' => [[], ['tenant_id' => 'b9e4c3a2-5f61-4d8e-a7c0-3e2f1d0c9b8b'], $check, []],
            'wrong-client.check' => [[], ['client_id' => '6f1d0a7e-2b4c-4e9a-8d3f-1c5b7a9e0f2e'], $check, []],
            'secret-id.check' => [[], ['client_secret' => self::SECRET_ID], $check, []],
            'expired-secret.check' => [['--client-secret', 'a-newer-secret', '--expired-secret', self::SECRET], [], $check, []],
            'certificate.check' => [['--certificate', TestCerts::path('app.crt')], ['client_secret' => null, 'client_certificate' => TestCerts::path('app.pem')], $check, []],
            'certificate-not-uploaded.check' => [[], ['client_secret' => null, 'client_certificate' => TestCerts::path('app.pem')], $check, []],
            'no-consent.check' => [['--no-roles'], [], $check, []],
            'no-consent.send' => [['--no-roles'], [], ...$send],
            'restricted.check' => [['--allowed-mailbox', 'billing@contoso.com'], [], $check, []],
            'restricted.send' => [['--allowed-mailbox', 'billing@contoso.com'], [], ...$send],
            'unknown-mailbox.send' => [['--mailbox', 'billing@contoso.com'], [], ...$send],
            'unlicensed.send' => [['--disabled-mailbox', self::MAILBOX], [], ...$send],
            'send-as.send' => [[], ['mailbox' => self::MAILBOX], 'o365:send-test', ['to' => 'you@example.com', '--from' => 'sales@contoso.com']],
            'rbac.check' => [['--no-roles', '--rbac-mailbox', self::MAILBOX], [], $check, []],
            'rbac.send' => [['--no-roles', '--rbac-mailbox', self::MAILBOX], [], ...$send],
            'restrict.rbac' => [[], [], 'o365:restrict', ['--mailbox' => [self::MAILBOX]]],
            'restrict.policy' => [[], [], 'o365:restrict', ['--policy' => true, '--mailbox' => [self::MAILBOX]]],
        ];
    }

    public function testEveryQuotedOutputComesFromARun(): void
    {
        $guide = (string) file_get_contents(self::GUIDE);
        preg_match_all('/<!-- output: (\S+) -->\n```text\n(.*?)```\n/s', $guide, $blocks, PREG_SET_ORDER);
        $quoted = array_column($blocks, 2, 1);
        $scenarios = self::scenarios();
        $this->assertSame([], array_diff(array_keys($quoted), array_keys($scenarios)), 'the guide quotes only outputs made here');
        $this->assertSame([], array_diff(array_keys($scenarios), array_keys($quoted)), 'the guide quotes every output made here');

        $actual = [];
        foreach ($scenarios as $id => [$emulatorArgs, $overrides, $command, $args]) {
            $actual[$id] = $this->run_($emulatorArgs, $overrides, $command, $args);
        }
        if (getenv('O365_UPDATE_GUIDE') === '1') {
            $guide = preg_replace_callback('/<!-- output: (\S+) -->\n```text\n(.*?)```\n/s', static fn ($m) => "<!-- output: {$m[1]} -->\n```text\n{$actual[$m[1]]}```\n", $guide);
            file_put_contents(self::GUIDE, $guide);
            $quoted = $actual;
        }
        foreach ($actual as $id => $out) {
            $this->assertSame($out, $quoted[$id], "docs/microsoft-365-setup.md block `$id` differs from what the command prints now; refresh the guide with O365_UPDATE_GUIDE=1 (see this test's doc comment) and reread the prose around it");
        }
    }

    /** Runs `$command` in a fresh app whose o365 mailer points at a fresh emulator; the transcript, normalized. */
    private function run_(array $emulatorArgs, array $overrides, string $command, array $args): string
    {
        $secret = in_array('--client-secret', $emulatorArgs, true) ? [] : ['--client-secret', self::SECRET];
        $emulator = new Emulator(array_merge(['--tenant-id', self::TENANT, '--client-id', self::CLIENT], $secret, $emulatorArgs));
        $app = LaravelApp::create();
        $app['config']->set('app.name', 'Contoso Shop');
        $app['config']->set('mail.from.address', self::MAILBOX);
        $app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $emulator->config(array_merge(['tenant_id' => self::TENANT, 'client_id' => self::CLIENT, 'client_secret' => self::SECRET], $overrides)));
        try {
            $output = new BufferedOutput();
            $app->make(\Illuminate\Contracts\Console\Kernel::class)->call($command, $args, $output);
            $out = $output->fetch();
        } finally {
            $app->flush();
            Facade::clearResolvedInstances();
            Facade::setFacadeApplication(null);
        }
        $line = '$ php artisan '.$command;
        foreach ($args as $name => $value) {
            foreach ((array) $value as $v) {
                $line .= ' '.(is_int($name) || !str_starts_with((string) $name, '--') ? $v : ($v === true ? $name : "$name=$v"));
            }
        }
        $this->assertStringNotContainsString(self::SECRET, $out, 'no output shows the secret');

        return $line."\n".self::normalize($out, $emulator->baseUrl);
    }

    private static function normalize(string $out, string $base): string
    {
        $guid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
        $out = preg_replace("#".preg_quote($base, '#')."(/[^/\\s]+/oauth2/)#", 'https://login.microsoftonline.com$1', $out);
        $out = str_replace($base, 'https://graph.microsoft.com', $out);
        $out = str_replace(TestCerts::dir(), '/etc/o365', $out); // throwaway certificates, made per run
        $out = preg_replace('/\b[0-9A-F]{64}\b/', '<sha256-thumbprint>', $out);
        $out = preg_replace('/\b[0-9A-F]{40}\b/', '<sha1-thumbprint>', $out);
        $out = preg_replace("/(request-id:? )$guid/", '$1<request-id>', $out);
        $out = preg_replace('/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?/', '<time>', $out);

        return rtrim(implode("\n", array_map('rtrim', explode("\n", $out))))."\n";
    }
}
