<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use PHPUnit\Framework\TestCase;

/**
 * An O365\Mailer holds the client secret (and `redis_url`, which may hold a password) in Rust memory only: no way PHP has to look
 * into, copy or persist an object shows it. Serialization and cloning are refused (a
 * serialized mailer would be a secret written to a session store or a queue payload).
 */
final class MailerObjectSecretsTest extends TestCase
{
    private const SECRET = 'object-canary-90c3f1aa-secret';

    private static function mailer(?string $redisUrl = null): \O365\Mailer
    {
        return new \O365\Mailer([
            'tenant_id' => 'contoso.onmicrosoft.com',
            'client_id' => '00000000-0000-0000-0000-000000000001',
            'client_secret' => self::SECRET,
            'login_endpoint' => 'http://127.0.0.1:9',
            'graph_endpoint' => 'http://127.0.0.1:9',
            'redis_url' => $redisUrl ?? 'redis://worker:'.self::SECRET.'@127.0.0.1:9/0',
        ]);
    }

    /** @return iterable<string, array{?string}> */
    public static function redisUrls(): iterable
    {
        yield 'one node' => [null];
        // The Sentinels' own password travels in the query, beside the primary's.
        yield 'sentinels with a password' => ['redis+sentinel://:'.self::SECRET.'@127.0.0.1:9,127.0.0.1:10/mymaster/0?sentinel_password='.self::SECRET.'-sentinel'];
    }

    /** @dataProvider redisUrls */
    public function testNoInspectionShowsTheSecret(?string $redisUrl): void
    {
        $mailer = self::mailer($redisUrl);
        ob_start();
        var_dump($mailer);
        debug_zval_dump($mailer);
        var_export($mailer);
        print_r($mailer);
        print_r([$mailer, new \ArrayObject([$mailer])]);
        var_dump((array) $mailer, get_object_vars($mailer));
        foreach ($mailer as $key => $value) {
            var_dump($key, $value);
        }
        echo json_encode($mailer), json_encode([$mailer]);
        var_dump((new \ReflectionObject($mailer))->getProperties());
        phpinfo();
        $all = (string) ob_get_clean();

        $this->assertStringNotContainsString(self::SECRET, $all);
        $this->assertStringContainsString('contoso.onmicrosoft.com', $all, 'var_dump shows the public facts');
        $this->assertSame('{}', json_encode($mailer));
        $this->assertSame([], (array) $mailer);
    }

    public function testSerializeIsRefused(): void
    {
        $this->expectException(\Exception::class);
        $this->expectExceptionMessage("Serialization of 'O365\\Mailer' is not allowed");
        serialize(['mailer' => self::mailer()]);
    }

    public function testUnserializeIsRefused(): void
    {
        $this->expectException(\Exception::class);
        $this->expectExceptionMessage("Unserialization of 'O365\\Mailer' is not allowed");
        unserialize('O:11:"O365\Mailer":0:{}');
    }

    public function testCloneIsRefused(): void
    {
        $mailer = self::mailer();
        $this->expectException(\Error::class);
        $this->expectExceptionMessage('Trying to clone an uncloneable object of class O365\Mailer');
        $copy = clone $mailer;
        unset($copy);
    }
}
