<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Support\ConfigurationUrlParser;

/**
 * The extension's `redis_url` from a Redis connection of config/database.php, named by
 * `redis_connection` in the mailer entry: the limits are then shared through the Redis
 * the app already runs. The URL holds the password: it is never logged or shown.
 */
final class RedisUrl
{
    /** Entries of `database.redis` that are settings, not connections. */
    private const NOT_CONNECTIONS = ['client', 'options', 'clusters'];

    /**
     * `redis[s]://[user:password@]host:port/db`, read as Laravel reads the connection
     * (its `url` wins over `host`, `port`, `username`, `password`, `database`).
     *
     * @param array $redis config('database.redis')
     *
     * @throws \O365\ConfigurationException naming `redis_connection` and the fix
     */
    public static function fromConnection(string $name, #[\SensitiveParameter] array $redis): string
    {
        $connection = in_array($name, self::NOT_CONNECTIONS, true) ? null : ($redis[$name] ?? null);
        if (!is_array($connection)) {
            $known = array_keys(array_filter($redis, static fn ($v, $k) => is_array($v) && !in_array($k, self::NOT_CONNECTIONS, true), ARRAY_FILTER_USE_BOTH));
            throw new \O365\ConfigurationException(sprintf(
                'config key `redis_connection` of the o365 mailer names the Redis connection `%s`, but config/database.php has no such connection under `redis` (connections: %s). Fix: set `redis_connection` (env O365_REDIS_CONNECTION) to one of them, or add `%s` to `redis` in config/database.php.',
                $name, $known === [] ? 'none' : implode(', ', $known), $name));
        }
        $c = (new ConfigurationUrlParser())->parseConfiguration($connection);
        $host = (string) ($c['host'] ?? '127.0.0.1');
        // phpredis and predis also take the scheme in the host (`tls://redis.example.com`).
        $scheme = strtolower((string) ($c['driver'] ?? $c['scheme'] ?? 'redis')); // driver: the url's scheme
        if (preg_match('#^([a-z]+)://(.*)$#i', $host, $m)) {
            [$scheme, $host] = [strtolower($m[1]), $m[2]];
        }
        if ($scheme === 'unix' || str_starts_with($host, '/')) {
            throw new \O365\ConfigurationException("config key `redis_connection` of the o365 mailer names the Redis connection `$name`, which uses a Unix socket; the shared limiter connects over TCP. Fix: give that connection a host and port, or name another connection.");
        }
        $tls = in_array($scheme, ['tls', 'rediss', 'ssl'], true);
        $user = (string) ($c['username'] ?? '');
        $password = (string) ($c['password'] ?? '');
        $auth = ($user === '' && $password === '') ? '' : rawurlencode($user).($password === '' ? '' : ':'.rawurlencode($password)).'@';
        if (str_contains($host, ':') && !str_starts_with($host, '[')) {
            $host = "[$host]"; // IPv6
        }
        $port = (int) ($c['port'] ?? 6379);
        $database = (int) ($c['database'] ?? 0);

        return ($tls ? 'rediss' : 'redis')."://$auth$host:$port/$database";
    }
}
