<?php

declare(strict_types=1);

namespace O365\Tests\Support;

/**
 * The emulator's credentials and the test messages that tests, their child-process fixtures
 * and the browser test share. Plain PHP with no dependencies: fixtures run in a bare `php`
 * without Composer's autoloader and `require_once` this file.
 */
final class TestMail
{
    public const CLIENT_ID = '00000000-0000-0000-0000-000000000001';
    public const CLIENT_SECRET = 'emulator-secret';
    public const TENANT_ID = 'contoso.onmicrosoft.com';

    /**
     * O365\Mailer config for an emulator at $base (plain HTTP unless overrides add ca_file).
     *
     * @param array<string, mixed> $overrides
     * @return array<string, mixed>
     */
    public static function config(string $base, array $overrides = []): array
    {
        return array_merge([
            'tenant_id' => self::TENANT_ID,
            'client_id' => self::CLIENT_ID,
            'client_secret' => self::CLIENT_SECRET,
            'login_endpoint' => $base,
            'graph_endpoint' => $base,
            'max_retries' => 1,
            'timeout' => 10,
        ], $overrides);
    }

    /**
     * A MIME message; with $attachmentBytes > 0 it carries a base64 attachment of that many
     * random bytes (past 3 MB of MIME it takes the draft + upload session route).
     */
    public static function mime(string $subject, int $attachmentBytes = 0, string $from = 'sender@contoso.com'): string
    {
        $mime = "From: $from\r\nTo: ann@example.com\r\nSubject: $subject\r\nMIME-Version: 1.0\r\n";
        if ($attachmentBytes === 0) {
            return $mime."\r\nbody\r\n";
        }

        return $mime."Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
            ."--B\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n"
            ."Content-Disposition: attachment; filename=big.bin\r\n\r\n"
            .chunk_split(base64_encode(random_bytes($attachmentBytes)), 76, "\r\n")."--B--\r\n";
    }
}
