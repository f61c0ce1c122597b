<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\ConfigurationException;
use PHPUnit\Framework\TestCase;

/** Construction validates the config; every error names the key (and its env variable). */
final class ConfigTest extends TestCase
{
    private const OK = ['tenant_id' => 'contoso.onmicrosoft.com', 'client_id' => 'c', 'client_secret' => 'the-secret-value'];

    public static function badConfigs(): iterable
    {
        $ok = self::OK;
        yield 'tenant missing' => [['client_id' => 'c', 'client_secret' => 's'], 'tenant_id', ['`tenant_id`', 'O365_TENANT_ID']];
        yield 'client missing' => [['tenant_id' => 't', 'client_secret' => 's'], 'client_id', ['`client_id`', 'O365_CLIENT_ID']];
        yield 'credential missing' => [['tenant_id' => 't', 'client_id' => 'c'], 'client_secret', ['`client_secret`', 'O365_CLIENT_SECRET']];
        yield 'empty string is missing' => [['tenant_id' => '', 'client_id' => 'c', 'client_secret' => 's'], 'tenant_id', ['`tenant_id`']];
        yield 'unknown key' => [$ok + ['mailbx' => 'a@contoso.com'], 'mailbx', ['unknown config key `mailbx`', 'mailbox']];
        yield 'wrong type: array' => [$ok + ['timeout' => [30]], 'timeout', ['`timeout`', 'number']];
        yield 'wrong type: bool' => [$ok + ['save_to_sent_items' => 'maybe'], 'save_to_sent_items', ['`save_to_sent_items`', 'bool']];
        yield 'wrong type: secret' => [['tenant_id' => 't', 'client_id' => 'c', 'client_secret' => 42], 'client_secret', ['`client_secret`', 'string']];
        yield 'unknown cloud' => [$ok + ['cloud' => 'mars'], 'cloud', ['`mars`', 'usgov']];
        yield 'endpoint with a path' => [$ok + ['graph_endpoint' => 'https://graph.microsoft.com/v1.0'], 'graph_endpoint', ['`graph_endpoint`']];
        yield 'mailbox not an address' => [$ok + ['mailbox' => 'not an address'], 'mailbox', ['`mailbox`']];
        yield 'retries out of range' => [$ok + ['max_retries' => 99], 'max_retries', ['`max_retries`']];
        yield 'missing CA file' => [$ok + ['ca_file' => '/nonexistent/ca.pem'], 'ca_file', ['`ca_file`', '/nonexistent/ca.pem']];
        yield 'redis_url not redis' => [$ok + ['redis_url' => 'http://u:pw@cache:6379'], 'redis_url', ['`redis_url`', 'O365_REDIS_URL', 'rediss://']];
        yield 'redis_url database' => [$ok + ['redis_url' => 'redis://cache:6379/x'], 'redis_url', ['`redis_url`', 'number']];
    }

    /** @dataProvider badConfigs */
    public function testBadConfigIsAConfigurationErrorNamingTheKey(array $config, string $key, array $phrases): void
    {
        foreach ([fn () => new \O365\Mailer($config), fn () => o365_send_mime($config, "From: a@contoso.com\r\n\r\nx")] as $make) {
            try {
                $make();
                $this->fail('expected a ConfigurationException');
            } catch (ConfigurationException $e) {
                $this->assertSame($key, $e->getConfigKey());
                foreach ($phrases as $phrase) {
                    $this->assertStringContainsString($phrase, $e->getMessage());
                }
                $this->assertStringNotContainsString('the-secret-value', (string) $e);
                $this->assertNull($e->getStatusCode());
            }
        }
    }

    public function testValidConfigsConstructWithoutNetwork(): void
    {
        $this->assertInstanceOf(\O365\Mailer::class, new \O365\Mailer(self::OK));
        // Laravel's env() gives strings and nulls: accepted where they make sense.
        $this->assertInstanceOf(\O365\Mailer::class, new \O365\Mailer(self::OK + [
            'timeout' => '12.5', 'max_retries' => '2', 'save_to_sent_items' => 'false', 'mailbox' => null, 'cloud' => 'usgov',
            'login_endpoint' => 'http://127.0.0.1:9', 'graph_endpoint' => 'http://127.0.0.1:9',
        ]));
    }

    public function testConfigArrayIsNotModifiedOrKept(): void
    {
        $config = self::OK;
        $mailer = new \O365\Mailer($config);
        $this->assertSame(self::OK, $config);
        $this->assertStringNotContainsString('the-secret-value', serialize((array) $mailer) . print_r($mailer, true));
    }
}
