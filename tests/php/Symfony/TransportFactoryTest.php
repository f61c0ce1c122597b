<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\O365TransportFactory;
use O365\Symfony\Transport;
use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\Exception\UnsupportedSchemeException;
use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mime\Email;

/** Plain Symfony Mailer (no Laravel) through `o365://CLIENT_ID:SECRET@TENANT_ID?...` DSNs. */
final class TransportFactoryTest extends TestCase
{
    private const SECRET = 'p@ss:w/rd+&=?#%';

    private static function dsn(Emulator $emulator, string $secret = self::SECRET, array $query = []): string
    {
        return sprintf('o365://%s:%s@%s?%s', Emulator::CLIENT_ID, rawurlencode($secret), Emulator::TENANT_ID, http_build_query($query + [
            'login_endpoint' => $emulator->baseUrl, 'graph_endpoint' => $emulator->baseUrl, 'max_retries' => 0,
        ]));
    }

    private static function email(): Email
    {
        return (new Email())->from('sender@contoso.com')->to('ann@example.com')->bcc('audit@example.com')
            ->subject('Via DSN')->text('text part')->html('<p>html part</p>')->attach('a,b', 'data.csv', 'text/csv');
    }

    public function testFromDsnSends(): void
    {
        $emulator = new Emulator(['--client-secret', self::SECRET]);
        $transport = Transport::fromDsn(self::dsn($emulator, query: ['mailbox' => 'noreply@contoso.com', 'timeout' => '10']));
        $this->assertSame('o365', (string) $transport);

        $sent = $transport->send(self::email()->from('noreply@contoso.com'));

        $m = $emulator->messages()[0];
        $this->assertSame('noreply@contoso.com', $m['mailbox']);
        $this->assertSame(['ann@example.com'], $m['to']);
        $this->assertSame(['audit@example.com'], $m['bcc']);
        $this->assertSame('text part', trim($m['body_text']));
        $this->assertStringContainsString('<p>html part</p>', $m['body_html']);
        $this->assertSame(hash('sha256', 'a,b'), $m['attachments'][0]['sha256']);
        $this->assertSame($m['request_id'], $sent?->getMessageId());
        $this->assertSame($m['request_id'], $sent?->getOriginalMessage()->getHeaders()->get('X-O365-Request-Id')?->getBodyAsString());
    }

    public function testFailoverDsnFallsBackToTheSecondO365Account(): void
    {
        $emulator = new Emulator(['--client-secret', self::SECRET, '--allowed-mailbox', 'backup@contoso.com', '--send-as', 'backup@contoso.com=sender@contoso.com']);
        $transport = Transport::fromDsn(sprintf('failover(%s %s)', self::dsn($emulator, query: ['mailbox' => 'blocked@contoso.com']), self::dsn($emulator, query: ['mailbox' => 'backup@contoso.com'])));

        (new Mailer($transport))->send(self::email());

        $this->assertSame(['backup@contoso.com'], array_column($emulator->messages(), 'mailbox'));
    }

    public function testErrorsAreSymfonyTransportExceptionsWithoutTheSecret(): void
    {
        $emulator = new Emulator(['--client-secret', self::SECRET]);
        $transport = Transport::fromDsn(self::dsn($emulator, 'the-wrong-secret'));
        try {
            $transport->send(self::email());
            $this->fail('expected a TransportException');
        } catch (TransportException $e) {
            $this->assertInstanceOf(\O365\AuthenticationException::class, $e->getPrevious());
            $this->assertStringStartsWith('Request to Microsoft Graph failed. Reason: Entra rejected the client secret', $e->getMessage());
            $this->assertSame(401, $e->getCode());
            $this->assertStringNotContainsString('the-wrong-secret', (string) $e);
        }
    }

    public function testBadDsnOptionsAreConfigurationErrors(): void
    {
        $this->expectException(\O365\ConfigurationException::class);
        $this->expectExceptionMessage('`timeout`');
        Transport::fromDsn('o365://client:secret@tenant?timeout=soon');
    }

    /** A value of each config key that the extension refuses at construction, naming the key. */
    private const REFUSED = [
        'client_certificate' => '/nonexistent/app.pem', 'client_certificate_key' => '/nonexistent/key.pem',
        'client_certificate_password' => 'pw', 'client_certificate_algorithm' => 'md5',
        'client_certificate_send_chain' => 'maybe', 'federated_token_file' => '/nonexistent/token',
        'managed_identity' => 'true', 'managed_identity_endpoint' => 'not a url', 'cloud' => 'mars',
        'login_endpoint' => 'not a url', 'graph_endpoint' => 'not a url', 'mailbox' => 'not-an-address',
        'save_to_sent_items' => 'maybe', 'timeout' => 'soon', 'max_retries' => 'many', 'deadline' => 'soon',
        'ca_file' => '/nonexistent/ca.pem', 'redis_url' => 'http://localhost', 'exactly_once' => 'maybe', 'ledger_ttl' => '1',
    ];

    /** One case per key of the extension's one list (`Mailer::configKeys()`). */
    public static function configKeys(): iterable
    {
        foreach (\O365\Mailer::configKeys() as $key) {
            yield $key => [$key];
        }
    }

    /**
     * Every config key reaches the mailer from a DSN: a value it refuses fails naming that
     * key (spool_dir, used only by a large streamed send, fails at that send).
     *
     * @dataProvider configKeys
     */
    public function testEveryConfigKeyIsADsnOption(string $key): void
    {
        if (in_array($key, ['tenant_id', 'client_id', 'client_secret'], true)) {
            $this->expectException(\Symfony\Component\Mailer\Exception\InvalidArgumentException::class);
            $this->expectExceptionMessage("An o365:// DSN carries `$key` in its user, password or host part, not as an option");
            Transport::fromDsn('o365://client:secret@tenant?'.http_build_query([$key => 'x']));
        }
        if ($key === 'spool_dir') {
            $emulator = new Emulator(['--client-secret', self::SECRET]);
            $transport = Transport::fromDsn(self::dsn($emulator, query: ['spool_dir' => '/nonexistent/spool']));
            try {
                $transport->send(self::email()->attach(random_bytes(6 * 1024 * 1024), 'big.bin'));
                $this->fail('expected the send to fail on the missing spool_dir');
            } catch (TransportException $e) {
                $this->assertInstanceOf(\O365\ConfigurationException::class, $e->getPrevious());
                $this->assertSame('spool_dir', $e->getPrevious()->getConfigKey());
                $this->assertSame([], $emulator->messages());

                return;
            }
        }
        $this->assertArrayHasKey($key, self::REFUSED, "add a refused value of the new config key `$key`");
        try {
            Transport::fromDsn('o365://client:secret@tenant?'.http_build_query([$key => self::REFUSED[$key]]));
            $this->fail("expected a ConfigurationException naming `$key`");
        } catch (\O365\ConfigurationException $e) {
            $this->assertSame($key, $e->getConfigKey(), $e->getMessage());
        }
    }

    public function testAnUnknownDsnOptionIsRefusedNamingTheKeyMeant(): void
    {
        foreach (['mailbx' => 'mailbox', 'save_to_sent_itemz' => 'save_to_sent_items'] as $typo => $meant) {
            try {
                Transport::fromDsn("o365://client:secret@tenant?mailbox=noreply@contoso.com&$typo=false");
                $this->fail("expected a ConfigurationException for `$typo`");
            } catch (\O365\ConfigurationException $e) {
                $this->assertSame($typo, $e->getConfigKey());
                $this->assertStringStartsWith("unknown config key `$typo` (did you mean `$meant`?)", $e->getMessage());
                $this->assertStringContainsString("rename `$typo` to `$meant`", $e->getMessage());
            }
        }
    }

    public function testIncompleteDsnIsSymfonysIncompleteDsnException(): void
    {
        foreach (['o365://client@tenant' => 'Password is not set.', 'o365://tenant' => 'User is not set.'] as $dsn => $message) {
            try {
                Transport::fromDsn($dsn);
                $this->fail("expected an IncompleteDsnException for $dsn");
            } catch (\Symfony\Component\Mailer\Exception\IncompleteDsnException $e) {
                $this->assertSame($message, $e->getMessage());
            }
        }
    }

    public function testAPortIsSymfonysInvalidArgumentException(): void
    {
        $this->expectException(\Symfony\Component\Mailer\Exception\InvalidArgumentException::class);
        $this->expectExceptionMessage('An o365:// DSN takes no port: the host part is the tenant id');
        Transport::fromDsn('o365://client:secret@tenant:443');
    }

    public function testTheDsnIsValidatedBeforeTheExtensionIsLookedFor(): void
    {
        // The same PHP and test bed, without the extension.
        $script = 'require '.var_export(dirname(__DIR__).'/bootstrap-testbed.php', true).'; $f = new O365\Symfony\O365TransportFactory();'
            .'foreach (["o365://tenant", "o365://client:secret@tenant"] as $d) {'
            .' try { $f->create(Symfony\Component\Mailer\Transport\Dsn::fromString($d)); } catch (Throwable $e) { echo get_class($e), "\n"; } }';
        $proc = proc_open([PHP_BINARY, '-r', $script],
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['O365_TESTBED' => getenv('O365_TESTBED') ?: ''] + getenv());
        $out = stream_get_contents($pipes[1]).stream_get_contents($pipes[2]);
        proc_close($proc);
        if (str_contains($out, 'ConfigurationException')) {
            \O365\Tests\Support\Skip::because("the o365 extension is enabled in this PHP's ini files");
        }

        $this->assertSame("Symfony\\Component\\Mailer\\Exception\\IncompleteDsnException\nO365\\ExtensionMissingException\n", $out);
    }

    public function testFactoryScheme(): void
    {
        $factory = new O365TransportFactory();
        $this->assertTrue($factory->supports(new Dsn('o365', 'tenant', 'client', 'secret')));
        $this->assertFalse($factory->supports(new Dsn('smtp', 'localhost')));
        $this->expectException(UnsupportedSchemeException::class);
        $factory->create(new Dsn('smtp', 'localhost'));
    }

    public function testSymfonySchemesStillWork(): void
    {
        $this->assertSame('null://', (string) Transport::fromDsn('null://null'));
    }
}
