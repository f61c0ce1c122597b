<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Config;
use O365\ConfigurationException;
use O365\Symfony\Transport;
use PHPUnit\Framework\TestCase;

/**
 * The extension's knowledge of config values, for setup code (`O365\Config`), and the
 * checks of Entra's ids that every config gets: plain PHP, Symfony DSNs and Laravel alike.
 */
final class EntraIdsTest extends TestCase
{
    private const SECRET_ID = '0c2d7f0e-6a1b-4a45-9f1e-3d2c1b0a9f8e';

    public function testTheCloudsAreTheOnesTheMailerTakesInOrder(): void
    {
        $clouds = Config::clouds();

        $this->assertSame(['global', 'usgov', 'usgov-dod', 'china'], array_keys($clouds));
        $this->assertSame('US Government L4 (GCC High)', $clouds['usgov']);
        foreach (array_keys($clouds) as $cloud) {
            $mailer = new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 's', 'cloud' => $cloud]);
            $this->assertSame($cloud, $mailer->__debugInfo()['cloud']);
        }
    }

    public function testProblemExplainsAValueCopiedFromTheWrongPlace(): void
    {
        $this->assertNull(Config::problem('tenant_id', 'contoso.onmicrosoft.com'));
        $this->assertNull(Config::problem('tenant_id', '72f988bf-86f1-41af-91ab-2d7cd011db47'));
        $this->assertStringContainsString('does not name one tenant', (string) Config::problem('tenant_id', 'common'));
        $this->assertStringContainsString('verified domain', (string) Config::problem('tenant_id', 'contoso'));
        $this->assertNull(Config::problem('client_id', '00000000-0000-0000-0000-000000000001'));
        $this->assertStringContainsString('Application (client) ID', (string) Config::problem('client_id', 'my-app'));
        $why = (string) Config::problem('client_secret', self::SECRET_ID);
        $this->assertStringContainsString('Secret ID', $why);
        $this->assertStringNotContainsString(self::SECRET_ID, $why, 'a secret is never quoted');
        $this->assertNull(Config::problem('client_secret', 'Xy8Q~abc.def_ghi'));
        $this->assertStringContainsString('global, usgov, usgov-dod, china', (string) Config::problem('cloud', 'mars'));
        $this->assertNull(Config::problem('mailbox', 'anything'), 'keys without a shape of their own');
    }

    public static function unusable(): iterable
    {
        yield 'a multi-tenant authority' => [['tenant_id' => 'organizations', 'client_id' => 'c', 'client_secret' => 's'], 'tenant_id', ['does not name one tenant', 'O365_TENANT_ID']];
        yield 'an empty secret' => [['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => '  '], 'client_secret', ['empty', 'O365_CLIENT_SECRET']];
        yield 'a pasted line break' => [['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => "abc\ndef"], 'client_secret', ['line break']];
    }

    /** @dataProvider unusable */
    public function testAConfigThatCanNeverAuthenticateIsRefusedUpFront(array $config, string $key, array $phrases): void
    {
        try {
            new \O365\Mailer($config);
            $this->fail('expected a ConfigurationException');
        } catch (ConfigurationException $e) {
            $this->assertSame($key, $e->getConfigKey());
            foreach ($phrases as $phrase) {
                $this->assertStringContainsString($phrase, $e->getMessage());
            }
            $this->assertStringNotContainsString(self::SECRET_ID, $e->getMessage());
        }
    }

    public function testASecretIdIsAdviceNotARefusal(): void
    {
        // Entra's own answer (AADSTS7000215) names the Secret ID with its fix; a test
        // tenant or the emulator may register any string, a GUID included, as a secret.
        $mailer = new \O365\Mailer(['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => self::SECRET_ID]);
        $this->assertInstanceOf(\O365\Mailer::class, $mailer);
        $this->assertStringContainsString('Secret ID', (string) Config::problem('client_secret', self::SECRET_ID));
    }

    public function testASymfonyDsnGetsTheSameCheck(): void
    {
        try {
            Transport::fromDsn('o365://c:secret@common');
            $this->fail('expected a ConfigurationException');
        } catch (ConfigurationException $e) {
            $this->assertSame('tenant_id', $e->getConfigKey());
            $this->assertStringContainsString('does not name one tenant', $e->getMessage());
        }
    }
}
