<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/** Each failure becomes the right O365\ exception, with Graph's facts and a message naming the fix. */
final class ErrorsTest extends TestCase
{
    private const MIME = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: x\r\n\r\nbody\r\n";

    private function sendExpecting(string $class, Emulator $emulator, array $config = []): \O365\Exception
    {
        try {
            (new \O365\Mailer($emulator->config($config)))->sendMime(self::MIME);
        } catch (\O365\Exception $e) {
            $this->assertInstanceOf($class, $e, $e->getMessage());
            $this->assertStringNotContainsString(Emulator::CLIENT_SECRET, (string) $e);
            $this->assertStringContainsString('Fix:', $e->getMessage());

            return $e;
        }
        $this->fail("expected $class");
    }

    public function testAdminConsentMissing(): void
    {
        $e = $this->sendExpecting(\O365\GraphException::class, new Emulator(['--no-roles']));
        $this->assertSame('ErrorAccessDenied', $e->getGraphCode());
        $this->assertSame(403, $e->getStatusCode());
        $this->assertSame(403, $e->getCode());
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', (string) $e->getRequestId());
        $this->assertStringContainsString('Mail.Send', $e->getMessage());
        $this->assertStringContainsString('admin consent', $e->getMessage());
    }

    public function testApplicationAccessPolicyExcludesTheMailbox(): void
    {
        $e = $this->sendExpecting(\O365\GraphException::class, new Emulator(['--allowed-mailbox', 'other@contoso.com']));
        $this->assertSame('ErrorAccessDenied', $e->getGraphCode());
        $this->assertStringContainsString('Test-ApplicationAccessPolicy', $e->getMessage());
        $this->assertStringContainsString('sender@contoso.com', $e->getMessage());
    }

    public function testUnknownMailbox(): void
    {
        $e = $this->sendExpecting(\O365\GraphException::class, new Emulator(['--mailbox', 'other@contoso.com']));
        $this->assertSame('ErrorInvalidUser', $e->getGraphCode());
        $this->assertSame(404, $e->getStatusCode());
        $this->assertStringContainsString('`mailbox`', $e->getMessage());
    }

    public function testWrongSecretAndExpiredSecret(): void
    {
        $emulator = new Emulator(['--expired-secret', 'an-old-secret']);
        $e = $this->sendExpecting(\O365\AuthenticationException::class, $emulator, ['client_secret' => 'a-wrong-secret']);
        $this->assertSame('AADSTS7000215', $e->getGraphCode());
        $this->assertStringContainsString('client_secret', $e->getMessage());
        $this->assertStringNotContainsString('a-wrong-secret', (string) $e);

        $e = $this->sendExpecting(\O365\AuthenticationException::class, $emulator, ['client_secret' => 'an-old-secret']);
        $this->assertSame('AADSTS7000222', $e->getGraphCode());
        $this->assertStringContainsString('new client secret', $e->getMessage());
        $this->assertStringNotContainsString('an-old-secret', (string) $e);
        $this->assertSame([], $emulator->messages());
    }

    public function testUnknownApplication(): void
    {
        $e = $this->sendExpecting(\O365\AuthenticationException::class, new Emulator(), ['client_id' => '11111111-2222-3333-4444-555555555555']);
        $this->assertSame('AADSTS700016', $e->getGraphCode());
        $this->assertStringContainsString('client_id', $e->getMessage());
    }

    public function testThrottledAfterRetries(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 429, 'retry_after' => 0, 'times' => 10]]);
        $e = $this->sendExpecting(\O365\ThrottledException::class, $emulator, ['max_retries' => 1]);
        $this->assertInstanceOf(\O365\GraphException::class, $e);
        $this->assertSame(429, $e->getStatusCode());
        $sends = array_filter($emulator->requests(), static fn ($r) => str_ends_with($r['path'], '/sendMail'));
        $this->assertCount(2, $sends, 'one try and one retry');
    }

    public function testGatewayTimeoutIsOutcomeUnknownAndNotRetried(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 504, 'times' => 10]]);
        $e = $this->sendExpecting(\O365\OutcomeUnknownException::class, $emulator, ['max_retries' => 3]);
        $this->assertSame(504, $e->getStatusCode());
        $this->assertNotNull($e->getClientRequestId());
        $sends = array_filter($emulator->requests(), static fn ($r) => str_ends_with($r['path'], '/sendMail'));
        $this->assertCount(1, $sends, 'a possibly delivered message is never sent twice');
    }

    public function testUnreachableEndpointIsATransportError(): void
    {
        try {
            o365_send_mime(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 's', 'login_endpoint' => 'http://127.0.0.1:1', 'graph_endpoint' => 'http://127.0.0.1:1', 'max_retries' => 0], self::MIME);
            $this->fail('expected an exception');
        } catch (\O365\TransportException $e) {
            $this->assertStringContainsString('login_endpoint', $e->getMessage());
            $this->assertNull($e->getStatusCode());
        }
    }

    public function testTraceHoldsNoArguments(): void
    {
        $secret = 'trace-secret-'.bin2hex(random_bytes(4));
        try {
            o365_send_mime(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => $secret, 'mailbx' => 'x'], self::MIME);
            $this->fail('expected an exception');
        } catch (\O365\ConfigurationException $e) {
            $this->assertSame(__FILE__, $e->getFile());
            $this->assertStringNotContainsString($secret, print_r($e->getTrace(), true));
            $this->assertStringNotContainsString($secret, (string) $e);
        }
    }

    public function testExceptionsAreConstructibleLikePhpExceptions(): void
    {
        $previous = new \LogicException('cause');
        $line = __LINE__ + 1;
        $e = new \O365\ThrottledException('simulated throttling', 429, $previous);

        $this->assertSame('simulated throttling', $e->getMessage());
        $this->assertSame(429, $e->getCode());
        $this->assertSame($previous, $e->getPrevious());
        $this->assertSame(__FILE__, $e->getFile());
        $this->assertSame($line, $e->getLine());
        $this->assertNull($e->getGraphCode());
        $this->assertInstanceOf(\O365\GraphException::class, $e);
        $this->assertSame('', (new \O365\ConfigurationException())->getMessage());

        // As \Exception's constructor does, a previous that is not a Throwable is a TypeError.
        $this->expectException(\TypeError::class);
        new \O365\GraphException('x', 0, new \stdClass());
    }
}
