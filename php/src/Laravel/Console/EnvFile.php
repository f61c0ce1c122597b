<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

use Dotenv\Dotenv;

/**
 * Sets keys in a .env file without disturbing its other lines: a key that is present is
 * changed where it stands (every occurrence, since the last one wins), a new key is
 * appended. Values are quoted only when dotenv needs it. Writes nothing when nothing
 * changes, so that a re-run leaves the file byte for byte as it was.
 */
final class EnvFile
{
    private string $text;

    public function __construct(private readonly string $path)
    {
        $this->text = is_file($path) ? (string) file_get_contents($path) : '';
    }

    /** The values the file sets now (dotenv's own parser; nothing is expanded from outside). */
    public function values(): array
    {
        try {
            return Dotenv::parse($this->text);
        } catch (\Throwable) {
            return [];
        }
    }

    /** Sets `$key` to `$value`; returns whether the file's text changed. */
    public function set(string $key, #[\SensitiveParameter] string $value): bool
    {
        $line = $key.'='.self::quote($value);
        $pattern = '/^([ \t]*(?:export[ \t]+)?'.preg_quote($key, '/').'[ \t]*=).*$/m';
        $before = $this->text;
        if (preg_match($pattern, $this->text) === 1) {
            if (($this->values()[$key] ?? null) === $value) {
                return false; // same value, maybe quoted differently: leave the user's spelling
            }
            $this->text = (string) preg_replace_callback($pattern, static fn () => $line, $this->text);
        } else {
            if ($this->text !== '' && !str_ends_with($this->text, "\n")) {
                $this->text .= "\n";
            }
            $this->text .= $line."\n";
        }

        return $this->text !== $before;
    }

    /** Removes every line that sets `$key`; returns whether the file's text changed. */
    public function remove(string $key): bool
    {
        $before = $this->text;
        $this->text = (string) preg_replace('/^[ \t]*(?:export[ \t]+)?'.preg_quote($key, '/').'[ \t]*=.*(?:\r?\n|$)/m', '', $this->text);

        return $this->text !== $before;
    }

    /** Writes the file if it changed (through a temporary file, keeping its mode; a symlinked .env stays a symlink). */
    public function save(): bool
    {
        $target = is_link($this->path) ? (string) realpath($this->path) : $this->path;
        if (is_file($target) && (string) file_get_contents($target) === $this->text) {
            return false;
        }
        $mode = is_file($target) ? fileperms($target) & 0777 : 0600; // a new .env holds a secret
        $tmp = $target.'.o365-'.bin2hex(random_bytes(4));
        if (file_put_contents($tmp, $this->text) === false || !chmod($tmp, $mode) || !rename($tmp, $target)) {
            @unlink($tmp);
            throw new \RuntimeException("could not write $target: check that the directory is writable");
        }

        return true;
    }

    /** Unquoted when safe; else single quotes (literal); else double quotes with escapes. */
    public static function quote(#[\SensitiveParameter] string $value): string
    {
        if (preg_match('/^[A-Za-z0-9_.:\/@+~=,%-]*$/', $value) === 1) {
            return $value;
        }
        if (!str_contains($value, "'") && !str_contains($value, "\n")) {
            return "'$value'";
        }

        return '"'.strtr($value, ['\\' => '\\\\', '"' => '\\"', '$' => '\\$', "\n" => '\\n']).'"';
    }
}
