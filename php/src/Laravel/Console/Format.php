<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/** The shapes of what Entra and Exchange hand out: ids, tenant names, mailbox addresses. */
final class Format
{
    public static function isGuid(string $value): bool
    {
        return preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i', $value) === 1;
    }

    /** A domain name such as contoso.onmicrosoft.com or contoso.com (a tenant's verified domain). */
    public static function isDomain(string $value): bool
    {
        return strlen($value) <= 253
            && preg_match('/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i', $value) === 1;
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

    /** Why `$tenant` cannot be a Directory (tenant) ID for client credentials, or null. */
    public static function tenantProblem(string $tenant): ?string
    {
        if (in_array(strtolower($tenant), ['common', 'organizations', 'consumers'], true)) {
            return "`$tenant` does not name one tenant: app-only tokens need the Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com.";
        }
        if (!self::isGuid($tenant) && !self::isDomain($tenant)) {
            return "`$tenant` is neither a Directory (tenant) ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47) nor a verified domain such as contoso.onmicrosoft.com.";
        }

        return null;
    }

    /** Why `$clientId` cannot be an Application (client) ID, or null. */
    public static function clientIdProblem(string $clientId): ?string
    {
        return self::isGuid($clientId) ? null : "`$clientId` is not an Application (client) ID: copy the GUID shown as \"Application (client) ID\" on the app registration's Overview page.";
    }

    /** Why `$secret` cannot be a client secret's Value, or null (never quotes the secret). */
    public static function secretProblem(#[\SensitiveParameter] string $secret): ?string
    {
        if (trim($secret) === '') {
            return 'The client secret is empty: copy the Value of a client secret (Certificates & secrets > Client secrets).';
        }
        if (self::isGuid(trim($secret))) {
            return 'That is a GUID, which is what the Secret ID column shows: copy the Value column instead (it is shown only right after the secret was created; if it is hidden now, create a new client secret).';
        }
        if (preg_match('/[\r\n]/', $secret) === 1) {
            return 'The client secret contains a line break: paste only its Value.';
        }

        return null;
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
