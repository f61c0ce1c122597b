<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/**
 * The shapes of what Entra and Exchange hand out: ids, tenant names, mailbox addresses.
 * Entra's ids are the extension's checks (`O365\Config::problem()`, the same the core's
 * config applies), so a plain-PHP or Symfony setup gets the same answers.
 */
final class Format
{
    public static function isGuid(string $value): bool
    {
        return preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i', $value) === 1;
    }

    /** An address whose characters need no quoting in PowerShell or Exchange filters. */
    public static function isPlainEmail(string $value): bool
    {
        return preg_match('/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/', $value) === 1 && self::isEmail($value);
    }

    public static function isEmail(string $value): bool
    {
        return filter_var($value, FILTER_VALIDATE_EMAIL) !== false;
    }

    /** Why `$tenant` cannot be a Directory (tenant) ID for client credentials, or null (the extension's check). */
    public static function tenantProblem(string $tenant): ?string
    {
        return \O365\Config::problem('tenant_id', $tenant);
    }

    /** Why `$clientId` cannot be an Application (client) ID, or null (the extension's check). */
    public static function clientIdProblem(string $clientId): ?string
    {
        return \O365\Config::problem('client_id', $clientId);
    }

    /** Why `$secret` cannot be a client secret's Value, or null (the extension's check; never quotes the secret). */
    public static function secretProblem(#[\SensitiveParameter] string $secret): ?string
    {
        return \O365\Config::problem('client_secret', $secret);
    }

    /** Why `$mailbox` cannot be a sending mailbox, or null. */
    public static function mailboxProblem(string $mailbox): ?string
    {
        return self::isEmail($mailbox) ? null : "`$mailbox` is not an email address: give the address of a licensed mailbox (or shared mailbox) of the tenant, e.g. noreply@contoso.com.";
    }

    /** Why `$path` is no readable file, or null. */
    public static function fileProblem(string $path): ?string
    {
        return is_file($path) && is_readable($path) ? null : "`$path` is not a readable file.";
    }

    /** Why these files cannot be a certificate credential, or null (the extension checks the rest: key pair, expiry). */
    public static function certificateProblem(string $certificate, string $key): ?string
    {
        if (self::isPkcs12($certificate)) {
            return null;
        }
        $pem = (string) file_get_contents($certificate);
        if (!str_contains($pem, '-----BEGIN CERTIFICATE-----')) {
            return "`$certificate` holds no PEM certificate (-----BEGIN CERTIFICATE-----) and is no .pfx/.p12 file.";
        }
        $keyPem = $key === '' ? $pem : (string) file_get_contents($key);
        if (!str_contains($keyPem, 'PRIVATE KEY-----')) {
            return $key === ''
                ? "`$certificate` holds no private key: add it to the file or give its file with --certificate-key."
                : "`$key` holds no PEM private key.";
        }

        return null;
    }

    /** Whether the key is encrypted (or a PKCS#12 file, which always has a password). */
    public static function needsPassword(string $certificate, string $key): bool
    {
        if (self::isPkcs12($certificate)) {
            return true;
        }
        $pem = (string) @file_get_contents($key === '' ? $certificate : $key);

        return str_contains($pem, 'ENCRYPTED PRIVATE KEY') || str_contains($pem, 'Proc-Type: 4,ENCRYPTED');
    }

    private static function isPkcs12(string $path): bool
    {
        return preg_match('/\.(pfx|p12)$/i', $path) === 1;
    }
}
