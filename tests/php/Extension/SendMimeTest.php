<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/** The bare extension API against a running emulator. */
final class SendMimeTest extends TestCase
{
    private const MIME = "From: Sender <sender@contoso.com>\r\nTo: Ann <ann@example.com>\r\nSubject: Hello from the extension\r\n"
        ."MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody text here.\r\n";

    public function testVersionAndClasses(): void
    {
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', o365_version());
        $this->assertTrue(extension_loaded('o365'));
        $this->assertSame(\RuntimeException::class, get_parent_class(\O365\Exception::class));
        foreach (['Configuration', 'Authentication', 'Graph', 'Throttled', 'OutcomeUnknown', 'Transport'] as $kind) {
            $this->assertTrue(is_subclass_of("O365\\{$kind}Exception", \O365\Exception::class), $kind);
        }
        $this->assertTrue((new \ReflectionClass(\O365\Mailer::class))->isFinal());
    }

    public function testSendMimeDeliversToTheEmulator(): void
    {
        $emulator = new Emulator();
        $mailer = new \O365\Mailer($emulator->config());
        $receipt = $mailer->sendMime(self::MIME, 'sender@contoso.com', ['ann@example.com', 'hidden@example.com']);

        $this->assertSame('sender@contoso.com', $receipt['mailbox']);
        $this->assertNotEmpty($receipt['request_id']);
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $receipt['client_request_id']);

        $messages = $emulator->messages();
        $this->assertCount(1, $messages);
        $this->assertSame('mime', $messages[0]['format']);
        $this->assertSame('sender@contoso.com', $messages[0]['mailbox']);
        $this->assertSame('Hello from the extension', $messages[0]['subject']);
        $this->assertSame(['ann@example.com'], $messages[0]['to']);
        $this->assertSame(['hidden@example.com'], $messages[0]['bcc']);
        $this->assertStringContainsString('Body text here.', $messages[0]['mime']);
    }

    public function testProceduralSendUsesTheFromAddressWithoutEnvelope(): void
    {
        $emulator = new Emulator();
        $receipt = o365_send_mime($emulator->config(), self::MIME);
        $this->assertSame('sender@contoso.com', $receipt['mailbox']);
        $this->assertSame(['ann@example.com'], $emulator->messages()[0]['to']);
    }

    public function testWrongSecretIsAnAuthenticationErrorNamingTheFix(): void
    {
        $emulator = new Emulator();
        $secret = 'definitely-wrong-secret-value';
        try {
            o365_send_mime($emulator->config(['client_secret' => $secret]), self::MIME);
            $this->fail('expected an exception');
        } catch (\O365\AuthenticationException $e) {
            $this->assertStringContainsString('rejected the client secret', $e->getMessage());
            $this->assertStringContainsString('client_secret', $e->getMessage());
            $this->assertSame('AADSTS7000215', $e->getGraphCode());
            $this->assertStringNotContainsString($secret, $e->getMessage());
            $this->assertStringNotContainsString($secret, (string) $e);
        }
        $this->assertSame([], $emulator->messages());
    }

    public function testUnknownConfigKeyIsAConfigurationError(): void
    {
        try {
            new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 's', 'mailbx' => 'a@b.c']);
            $this->fail('expected an exception');
        } catch (\O365\ConfigurationException $e) {
            $this->assertSame('mailbx', $e->getConfigKey());
            $this->assertStringContainsString('unknown config key `mailbx`', $e->getMessage());
        }
    }

    public function testSecretsStayOutOfVarDump(): void
    {
        $mailer = new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 'sup3r-s3cret']);
        ob_start();
        var_dump($mailer);
        print_r($mailer);
        phpinfo();
        $out = (string) ob_get_clean();
        $this->assertStringNotContainsString('sup3r-s3cret', $out);
        $this->assertStringContainsString('client secret', $out);
    }
}
