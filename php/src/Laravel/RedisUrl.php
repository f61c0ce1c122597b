<?php

declare(strict_types=1);

namespace O365\Laravel;

use Illuminate\Support\ConfigurationUrlParser;

/**
 * The extension's `redis_url` from a Redis connection of config/database.php, named by
 * `redis_connection` in the mailer entry: the limits are then shared through the Redis
 * the app already runs. A connection becomes `redis[s]://`, an entry of `clusters`
 * `redis[s]+cluster://` (its nodes are the seeds), and a connection whose options say
 * `'replication' => 'sentinel'` (predis's shape: the Sentinels as its list entries,
 * `service`, and the primary's `parameters`; a Sentinel's own `password` becomes
 * `sentinel_password`) `redis[s]+sentinel://`. The URL holds the
 * password: it is never logged or shown.
 */
final class RedisUrl
{
    /** Entries of `database.redis` that are settings, not connections. */
    private const NOT_CONNECTIONS = ['client', 'options', 'clusters'];

    /**
     * The URL, read as Laravel reads the connection (a connection's `url` wins over
     * `host`, `port`, `username`, `password`, `database`; a connection wins over a
     * cluster of the same name).
     *
     * @param array $redis config('database.redis')
     *
     * @throws \O365\ConfigurationException naming `redis_connection` and the fix
     */
    public static function fromConnection(string $name, #[\SensitiveParameter] array $redis): string
    {
        $connection = in_array($name, self::NOT_CONNECTIONS, true) ? null : ($redis[$name] ?? null);
        $cluster = $redis['clusters'][$name] ?? null;
        if (!is_array($connection) && is_array($cluster)) {
            return self::cluster($name, $cluster, (array) ($redis['options'] ?? []));
        }
        if (!is_array($connection)) {
            throw self::unknown($name, $redis);
        }
        $options = array_merge((array) ($redis['options'] ?? []), (array) ($connection['options'] ?? []));
        if (($options['replication'] ?? null) === 'sentinel') {
            return self::sentinel($name, $connection, $options);
        }
        $node = self::node($name, $connection);

        return ($node['tls'] ? 'rediss' : 'redis').'://'.self::auth($node).$node['address'].'/'.$node['database'];
    }

    /** `redis[s]+cluster://[auth@]h1:p1,h2:p2/` from a `clusters` entry (a list of nodes). */
    private static function cluster(string $name, #[\SensitiveParameter] array $cluster, #[\SensitiveParameter] array $options): string
    {
        $nodes = array_map(static fn ($n) => self::node($name, is_array($n) ? $n : ['url' => (string) $n]), array_values(array_filter($cluster, 'is_int', ARRAY_FILTER_USE_KEY)));
        if ($nodes === []) {
            throw new \O365\ConfigurationException("config key `redis_connection` of the o365 mailer names the Redis cluster `$name` of config/database.php, which lists no node. Fix: list its nodes (host and port) under `redis.clusters.$name`.");
        }
        $options = array_merge($options, (array) ($cluster['options'] ?? []));
        $auth = self::auth($nodes[0], (array) ($options['parameters'] ?? []) + $options);

        return ($nodes[0]['tls'] ? 'rediss' : 'redis').'+cluster://'.$auth.implode(',', array_column($nodes, 'address')).'/';
    }

    /** `redis[s]+sentinel://[auth@]s1:p1,s2:p2/SERVICE/db` from predis's sentinel shape. */
    private static function sentinel(string $name, #[\SensitiveParameter] array $connection, #[\SensitiveParameter] array $options): string
    {
        $list = array_values(array_filter($connection, 'is_int', ARRAY_FILTER_USE_KEY));
        $sentinels = array_map(static fn ($s) => self::node($name, is_array($s) ? $s + ['port' => 26379] : ['url' => (string) $s]), $list);
        if ($sentinels === []) {
            throw new \O365\ConfigurationException("config key `redis_connection` of the o365 mailer names the Redis connection `$name`, whose options say `replication` => `sentinel` but which lists no Sentinel. Fix: list the Sentinels (e.g. 'tcp://10.0.0.1:26379') in `redis.$name`.");
        }
        $service = (string) ($options['service'] ?? 'mymaster');
        $primary = (array) ($options['parameters'] ?? []);
        $auth = self::auth(['user' => (string) ($primary['username'] ?? ''), 'password' => (string) ($primary['password'] ?? '')]);
        $database = (int) ($primary['database'] ?? 0);
        // predis gives each Sentinel its own parameters: their password (Sentinel's own
        // `requirepass`) goes to `sentinel_password`, apart from the primary's.
        $query = array_filter(['sentinel_username' => $sentinels[0]['user'], 'sentinel_password' => $sentinels[0]['password']], static fn ($v) => $v !== '');
        $query = $query === [] ? '' : '?'.http_build_query($query, '', '&', PHP_QUERY_RFC3986);

        return ($sentinels[0]['tls'] ? 'rediss' : 'redis').'+sentinel://'.$auth.implode(',', array_column($sentinels, 'address')).'/'.rawurlencode($service).'/'.$database.$query;
    }

    /**
     * One node as Laravel reads it: TLS or not, `host:port`, user, password, database.
     *
     * @return array{tls: bool, address: string, user: string, password: string, database: int}
     */
    private static function node(string $name, #[\SensitiveParameter] array $connection): array
    {
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
        if (str_contains($host, ':') && !str_starts_with($host, '[')) {
            $host = "[$host]"; // IPv6
        }

        return [
            'tls' => in_array($scheme, ['tls', 'rediss', 'ssl'], true),
            'address' => $host.':'.(int) ($c['port'] ?? 6379),
            'user' => (string) ($c['username'] ?? ''),
            'password' => (string) ($c['password'] ?? ''),
            'database' => (int) ($c['database'] ?? 0),
        ];
    }

    /** `user:password@` (encoded), or '' without either; `$fallback` fills a node without them. */
    private static function auth(#[\SensitiveParameter] array $node, #[\SensitiveParameter] array $fallback = []): string
    {
        $user = ($node['user'] ?? '') !== '' ? $node['user'] : (string) ($fallback['username'] ?? '');
        $password = ($node['password'] ?? '') !== '' ? $node['password'] : (string) ($fallback['password'] ?? '');

        return ($user === '' && $password === '') ? '' : rawurlencode($user).($password === '' ? '' : ':'.rawurlencode($password)).'@';
    }

    private static function unknown(string $name, #[\SensitiveParameter] array $redis): \O365\ConfigurationException
    {
        $known = array_keys(array_filter($redis, static fn ($v, $k) => is_array($v) && !in_array($k, self::NOT_CONNECTIONS, true), ARRAY_FILTER_USE_BOTH));
        $clusters = array_keys(array_filter((array) ($redis['clusters'] ?? []), 'is_array'));

        return new \O365\ConfigurationException(sprintf(
            'config key `redis_connection` of the o365 mailer names the Redis connection `%s`, but config/database.php has no such connection under `redis` (connections: %s%s). Fix: set `redis_connection` (env O365_REDIS_CONNECTION) to one of them, or add `%s` to `redis` in config/database.php.',
            $name, $known === [] ? 'none' : implode(', ', $known), $clusters === [] ? '' : '; clusters: '.implode(', ', $clusters), $name));
    }
}
