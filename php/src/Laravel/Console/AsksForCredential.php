<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/**
 * o365:install's credential: a client secret or a certificate (exactly one; choosing one
 * removes the other's keys from .env). Secrets and passwords are never printed and never
 * offered as defaults; leaving them empty on a re-run keeps what .env has.
 */
trait AsksForCredential
{
    private const CERTIFICATE_KEYS = ['O365_CLIENT_CERTIFICATE', 'O365_CLIENT_CERTIFICATE_KEY', 'O365_CLIENT_CERTIFICATE_PASSWORD'];

    /**
     * The .env keys of the chosen credential: a value sets the key, null removes it.
     *
     * @return array<string, ?string>
     */
    private function credentialKeys(#[\SensitiveParameter] array $current, bool $interactive, array &$errors): array
    {
        $kind = $this->option('certificate') !== null ? 'certificate' : ($this->option('secret') !== null ? 'secret' : null);
        $currentKind = ($current['O365_CLIENT_CERTIFICATE'] ?? '') !== '' ? 'certificate' : 'secret';
        if ($kind === null && $interactive) {
            $kind = $this->promptSelect('Credential', ['secret' => 'Client secret', 'certificate' => 'Certificate (uploaded under Certificates & secrets > Certificates)'], $currentKind);
        }
        $kind ??= $currentKind;
        if ($kind === 'certificate') {
            return $this->certificateKeys($current, $interactive, $errors) + ['O365_CLIENT_SECRET' => null];
        }
        $secret = $this->secretAnswer($current, $interactive, $errors);

        return ($secret === null ? [] : ['O365_CLIENT_SECRET' => $secret]) + array_fill_keys(self::CERTIFICATE_KEYS, null);
    }

    /** The secret's Value; null keeps the one .env has. */
    private function secretAnswer(#[\SensitiveParameter] array $current, bool $interactive, array &$errors): ?string
    {
        $have = ($current['O365_CLIENT_SECRET'] ?? '') !== '';
        $value = $this->option('secret');
        if ($value === null && $interactive) {
            $value = $this->promptSecret(
                'Client secret Value (not the Secret ID)',
                static fn (string $v) => $v === '' ? ($have ? null : 'Required.') : Format::secretProblem($v),
                $have ? 'Leave empty to keep the secret .env has now' : 'Certificates & secrets > Client secrets > New client secret: copy the Value column at once',
            );
        }
        $value = self::orStdin($value); // `printf %s "$SECRET" | php artisan o365:install --secret=-`
        if ($value === null || $value === '') {
            if (!$have) {
                $errors[] = '--secret is missing: the Value of a client secret (Entra admin center > App registrations > (your app) > Certificates & secrets > New client secret), or --certificate=PATH.';
            }

            return null;
        }
        if (($why = Format::secretProblem($value)) !== null) {
            $errors[] = "--secret: $why";
        }

        return trim($value);
    }

    /** @return array<string, ?string> */
    private function certificateKeys(#[\SensitiveParameter] array $current, bool $interactive, array &$errors): array
    {
        $ask = fn (string $option, string $key, string $label, string $hint, bool $required) => $this->option($option)
            ?? ($interactive ? $this->promptText($label, (string) ($current[$key] ?? ''), Format::fileProblem(...), $hint, $required) : ($current[$key] ?? null));
        $certificate = trim((string) $ask('certificate', 'O365_CLIENT_CERTIFICATE', 'Certificate file', 'PEM (certificate, and its key unless in a separate file) or PKCS#12 (.pfx/.p12)', true));
        $key = trim((string) $ask('certificate-key', 'O365_CLIENT_CERTIFICATE_KEY', 'Private key file (empty: it is in the certificate file)', 'PEM private key', false));
        $before = count($errors);
        $keys = [];
        foreach (['certificate' => $certificate, 'certificate-key' => $key] as $option => $path) {
            $why = $path === '' ? ($option === 'certificate' ? 'is missing: the certificate file whose public part you uploaded to the app registration.' : null) : Format::fileProblem($path);
            if ($why !== null) {
                $errors[] = "--$option $why";
            }
            $keys[$option === 'certificate' ? 'O365_CLIENT_CERTIFICATE' : 'O365_CLIENT_CERTIFICATE_KEY'] = $path === '' ? null : (realpath($path) ?: $path);
        }
        if (count($errors) === $before && ($why = Format::certificateProblem($certificate, $key)) !== null) {
            $errors[] = "--certificate: $why";
        }
        $password = self::orStdin($this->option('certificate-password'));
        if ($password === null && $interactive && count($errors) === $before && Format::needsPassword($certificate, $key)) {
            $have = ($current['O365_CLIENT_CERTIFICATE_PASSWORD'] ?? '') !== '';
            $password = $this->promptSecret('Password of the key', static fn (string $v) => $v === '' && !$have ? 'Required.' : null, $have ? 'Leave empty to keep the password .env has now' : '');
        }
        if ($password !== null && $password !== '') {
            $keys['O365_CLIENT_CERTIFICATE_PASSWORD'] = $password;
        } elseif (($current['O365_CLIENT_CERTIFICATE_PASSWORD'] ?? '') === '' && count($errors) === $before && Format::needsPassword($certificate, $key)) {
            $errors[] = '--certificate-password is missing: the key is encrypted (or in a PKCS#12 file).';
        }

        return $keys;
    }

    /** `-` means: read the value from standard input. */
    private static function orStdin(#[\SensitiveParameter] mixed $value): ?string
    {
        return $value === '-' ? rtrim((string) stream_get_contents(STDIN), "\r\n") : ($value === null ? null : (string) $value);
    }
}
