<?php

declare(strict_types=1);

namespace O365\Tests\Support;

/** Throwaway certificates made by tests/fixtures/make-test-certs.sh, once per PHPUnit process. */
final class TestCerts
{
    private static ?string $dir = null;

    public static function dir(): string
    {
        if (self::$dir === null) {
            $dir = sys_get_temp_dir().'/o365-php-certs-'.getmypid().'-'.bin2hex(random_bytes(4));
            $script = dirname(__DIR__, 2).'/fixtures/make-test-certs.sh';
            exec('bash '.escapeshellarg($script).' '.escapeshellarg($dir).' 2>&1', $out, $code);
            if ($code !== 0) {
                throw new \RuntimeException("make-test-certs.sh failed:\n".implode("\n", $out));
            }
            self::$dir = $dir;
            register_shutdown_function(static fn () => exec('rm -rf '.escapeshellarg($dir)));
        }

        return self::$dir;
    }

    public static function path(string $name): string
    {
        return self::dir().'/'.$name;
    }

    /** The base64 body of the private key in `$name` (to assert it is printed nowhere). */
    public static function keyLine(string $name): string
    {
        $pem = (string) file_get_contents(self::path($name));
        $body = substr($pem, (int) strpos($pem, 'PRIVATE KEY-----') + 16);
        foreach (explode("\n", $body) as $line) {
            if (strlen(trim($line)) > 40) {
                return trim($line);
            }
        }
        throw new \RuntimeException("no key in $name");
    }

    /** A federated token signed with issuer.key (RS256), as an identity provider writes it. */
    public static function federatedToken(string $issuer, string $subject, int $offset = 0): string
    {
        $b64 = static fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
        $now = time() + $offset;
        $input = $b64(json_encode(['alg' => 'RS256', 'typ' => 'JWT', 'kid' => 'k1']))
            .'.'.$b64(json_encode(['iss' => $issuer, 'sub' => $subject, 'aud' => ['api://AzureADTokenExchange'],
                'iat' => $now, 'nbf' => $now, 'exp' => $now + 3600, 'jti' => bin2hex(random_bytes(8))]));
        $key = openssl_pkey_get_private((string) file_get_contents(self::path('issuer.key')));
        if ($key === false || !openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256)) {
            throw new \RuntimeException('signing the federated token failed');
        }

        return $input.'.'.$b64($signature);
    }
}
