<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/**
 * Adds the `o365` mailer to config/mail.php. Only where the file has Laravel's shape (one
 * literal `'mailers' => [`) and the result still parses and yields the mailer; anything
 * else is a customised file, and the caller prints the snippet for a human instead.
 */
final class MailConfigFile
{
    /** The entry: credentials come from config/o365.php, i.e. the O365_* keys in .env. */
    public const SNIPPET = <<<'PHP'
        'o365' => [
            'transport' => 'o365',
            // tenant_id, client_id, client_secret, mailbox: config/o365.php (O365_* in .env)
        ],
        PHP;

    public function __construct(private readonly string $path)
    {
    }

    /** The file with the entry added, or null when the file is not one we can edit safely. */
    public function withMailer(): ?string
    {
        $text = is_file($this->path) ? (string) file_get_contents($this->path) : '';
        // The top-level `mailers` is the least indented one (failover and roundrobin mailers have their own).
        preg_match_all('/^([ \t]*)([\'"])mailers\2[ \t]*=>[ \t]*\[[ \t]*\r?\n/m', $text, $m, PREG_OFFSET_CAPTURE | PREG_SET_ORDER);
        usort($m, static fn (array $a, array $b) => strlen($a[1][0]) <=> strlen($b[1][0]));
        if ($m === [] || (isset($m[1]) && strlen($m[1][1][0]) === strlen($m[0][1][0]))) {
            return null;
        }
        $end = $m[0][0][1] + strlen($m[0][0][0]);
        $indent = $m[0][1][0].'    ';
        if (preg_match('/\G(?:[ \t]*\r?\n)*([ \t]+)\S/', $text, $next, 0, $end) === 1) {
            $indent = $next[1]; // the indentation the file already uses for mailers
        }
        $entry = implode("\n", array_map(static fn (string $l) => $indent.$l, explode("\n", self::SNIPPET)))."\n";
        $new = substr($text, 0, $end).$entry.(preg_match('/\G[ \t]*\r?\n/', $text, $_, 0, $end) === 1 ? '' : "\n").substr($text, $end);

        return $this->yieldsMailer($new) ? $new : null;
    }

    public function write(string $text): void
    {
        $mode = fileperms($this->path) & 0777;
        $tmp = $this->path.'.o365-'.bin2hex(random_bytes(4));
        if (file_put_contents($tmp, $text) === false || !chmod($tmp, $mode) || !rename($tmp, $this->path)) {
            @unlink($tmp);
            throw new \RuntimeException("could not write {$this->path}: check that it is writable");
        }
    }

    /** Parses the candidate and evaluates it (it only calls env() and path helpers). */
    private function yieldsMailer(string $text): bool
    {
        try {
            token_get_all($text, TOKEN_PARSE);
            $tmp = tempnam(sys_get_temp_dir(), 'o365-mail-');
            file_put_contents($tmp, $text);
            try {
                $config = (static fn (string $f) => require $f)($tmp);
            } finally {
                unlink($tmp);
            }
        } catch (\Throwable) {
            return false;
        }

        return is_array($config) && (($config['mailers']['o365']['transport'] ?? null) === 'o365');
    }
}
