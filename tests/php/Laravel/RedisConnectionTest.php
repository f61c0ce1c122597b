<?php

declare(strict_types=1);

namespace O365\Tests\Laravel;

use Illuminate\Support\Facades\Mail;
use O365\Laravel\MailerFactory;
use O365\Laravel\RedisUrl;
use O365\Tests\Support\LaravelTestCase;

/** `redis_connection` in the mailer entry: a Redis connection of config/database.php becomes the extension's `redis_url`. */
final class RedisConnectionTest extends LaravelTestCase
{
    private const REDIS = [
        'client' => 'phpredis',
        'options' => ['cluster' => 'redis', 'prefix' => 'app_'],
        'default' => ['url' => null, 'host' => 'redis.internal', 'username' => null, 'password' => 'p@ss:w/rd', 'port' => '6380', 'database' => '2'],
        'cache' => ['host' => '10.0.0.7', 'username' => 'app', 'password' => 'TOP-SECRET', 'port' => 6379, 'database' => 1, 'scheme' => 'tls'],
        'managed' => ['url' => 'rediss://svc:pw%21@cache.example.net:6390/4', 'host' => 'ignored', 'database' => 9],
        'phpredis-tls' => ['host' => 'tls://redis.example.com', 'password' => null, 'port' => 6380],
        'local' => ['host' => '::1'],
    ];

    public function testAConnectionBecomesTheRedisUrl(): void
    {
        $url = static fn (string $connection) => (new MailerFactory([], self::REDIS))->settings(['transport' => 'o365', 'redis_connection' => $connection])['redis_url'];

        $this->assertSame('redis://:p%40ss%3Aw%2Frd@redis.internal:6380/2', $url('default'));
        $this->assertSame('rediss://app:TOP-SECRET@10.0.0.7:6379/1', $url('cache'), "scheme 'tls': TLS");
        $this->assertSame('rediss://svc:pw%21@cache.example.net:6390/4', $url('managed'), 'the url wins, as in Laravel');
        $this->assertSame('rediss://redis.example.com:6380/0', $url('phpredis-tls'));
        $this->assertSame('redis://[::1]:6379/0', $url('local'));

        $settings = (new MailerFactory(['redis_connection' => null], self::REDIS))->settings(['transport' => 'o365', 'redis_connection' => 'default']);
        $this->assertArrayNotHasKey('redis_connection', $settings, 'the extension gets redis_url only');
        // Unset (null, or '' from env()): no redis_url, nothing looked up.
        $this->assertArrayNotHasKey('redis_url', (new MailerFactory([], []))->settings(['transport' => 'o365', 'redis_connection' => '']));
        // config/o365.php's default comes from O365_REDIS_CONNECTION.
        $this->assertSame('redis://:p%40ss%3Aw%2Frd@redis.internal:6380/2', (new MailerFactory(['redis_connection' => 'default'], self::REDIS))->settings(['transport' => 'o365'])['redis_url']);
    }

    public function testAClusterEntryBecomesARedisClusterUrlOfItsNodes(): void
    {
        $redis = self::REDIS + ['clusters' => [
            'default' => [
                ['host' => '10.0.0.1', 'password' => 'TOP/SECRET', 'port' => 7000, 'database' => 0],
                ['host' => '10.0.0.2', 'password' => 'TOP/SECRET', 'port' => 7001, 'database' => 0],
            ],
            'elasticache' => [['url' => 'tls://cfg.cache.amazonaws.com:6379'], 'options' => ['parameters' => ['password' => 'pw']]],
            'empty' => ['options' => ['cluster' => 'redis']],
        ]];
        $url = static fn (string $name) => RedisUrl::fromConnection($name, $redis);

        $this->assertSame('redis+cluster://:TOP%2FSECRET@10.0.0.1:7000,10.0.0.2:7001/', RedisUrl::fromConnection('default', ['clusters' => $redis['clusters']]));
        $this->assertSame('redis://:p%40ss%3Aw%2Frd@redis.internal:6380/2', $url('default'), 'a connection wins over a cluster of the same name, as in Laravel');
        $this->assertSame('rediss+cluster://:pw@cfg.cache.amazonaws.com:6379/', $url('elasticache'), "the cluster's options give the password");
        try {
            $url('empty');
            $this->fail('expected a ConfigurationException');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringContainsString('`redis.clusters.empty`', $e->getMessage());
        }
        try {
            $url('nope');
            $this->fail('expected a ConfigurationException');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringContainsString('clusters: default, elasticache, empty', $e->getMessage());
            $this->assertStringNotContainsString('TOP', $e->getMessage());
        }
    }

    public function testPredisSentinelOptionsBecomeARedisSentinelUrl(): void
    {
        $redis = [
            'client' => 'predis',
            'sentinel' => [
                'tcp://10.0.0.5:26379', ['host' => '10.0.0.6'],
                'options' => ['replication' => 'sentinel', 'service' => 'cache-primary', 'parameters' => ['password' => 'TOP-SECRET', 'database' => 3]],
            ],
            'global' => ['tcp://10.0.0.7:26380'],
            'guarded' => [
                'tcp://10.0.0.8:26379?password=S%40NT-SECRET', ['host' => '10.0.0.9', 'password' => 'S@NT-SECRET'],
                'options' => ['replication' => 'sentinel', 'service' => 'mymaster', 'parameters' => ['password' => 'TOP-SECRET']],
            ],
            'options' => ['replication' => 'sentinel', 'service' => 'mymaster'],
            'none' => ['options' => ['replication' => 'sentinel']],
        ];

        $this->assertSame('redis+sentinel://:TOP-SECRET@10.0.0.5:26379,10.0.0.6:26379/cache-primary/3', RedisUrl::fromConnection('sentinel', $redis));
        $this->assertSame('redis+sentinel://10.0.0.7:26380/mymaster/0', RedisUrl::fromConnection('global', $redis), 'the options of database.redis apply too');
        $this->assertSame('redis+sentinel://:TOP-SECRET@10.0.0.8:26379,10.0.0.9:26379/mymaster/0?sentinel_password=S%40NT-SECRET', RedisUrl::fromConnection('guarded', $redis), "a Sentinel's own password, apart from the primary's");
        try {
            RedisUrl::fromConnection('none', $redis);
            $this->fail('expected a ConfigurationException');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringContainsString('lists no Sentinel', $e->getMessage());
        }
    }

    public function testTheExtensionTakesTheUrlAndStillSendsWhenThatRedisIsDown(): void
    {
        // A port nobody listens on: the limiter falls back to per-process limits and warns
        // once; the mail goes out, and the warning shows no password.
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $this->app['config']->set('database.redis', ['default' => ['host' => '127.0.0.1', 'port' => $port, 'password' => 'TOP-SECRET', 'database' => 3]]);
        $this->app['config']->set('mail.mailers.o365.redis_connection', 'default');

        Mail::mailer('o365')->raw('hi', fn ($m) => $m->to('ann@example.com')->from('sender@contoso.com')->subject('through the limiter'));

        $this->assertSame('through the limiter', $this->onlyMessage()['subject']);
        $log = (string) @file_get_contents($this->app->storagePath('logs/laravel.log'));
        $this->assertMatchesRegularExpression('/o365: .*Redis.*127\.0\.0\.1:'.$port.'/', $log, 'the Redis warning, naming the server');
        $this->assertStringNotContainsString('TOP-SECRET', $log);
    }

    public function testAnUnknownConnectionFailsTheSendNamingTheKey(): void
    {
        $this->app['config']->set('database.redis', self::REDIS);
        $this->app['config']->set('mail.mailers.o365.redis_connection', 'queues');
        try {
            Mail::mailer('o365')->raw('hi', fn ($m) => $m->to('ann@example.com')->from('sender@contoso.com')->subject('x'));
            $this->fail('expected a TransportException');
        } catch (\Symfony\Component\Mailer\Exception\TransportException $e) {
            $previous = $e->getPrevious();
            $this->assertInstanceOf(\O365\ConfigurationException::class, $previous);
            $this->assertStringContainsString('`redis_connection`', $previous->getMessage());
            $this->assertStringContainsString('`queues`', $previous->getMessage());
            $this->assertStringContainsString('connections: default, cache, managed, phpredis-tls, local', $previous->getMessage());
            $this->assertStringContainsString('config/database.php', $previous->getMessage());
            $this->assertStringNotContainsString('TOP-SECRET', $e->getMessage());
        }
        $this->assertSame([], $this->emulator->requests(), 'nothing sent');
    }

    public function testSettingsAreNotConnections(): void
    {
        $this->expectException(\O365\ConfigurationException::class);
        $this->expectExceptionMessage('no such connection');
        RedisUrl::fromConnection('options', self::REDIS);
    }

    public function testRedisUrlAndRedisConnectionTogetherAreRefused(): void
    {
        try {
            (new MailerFactory([], self::REDIS))->settings(['transport' => 'o365', 'redis_connection' => 'cache', 'redis_url' => 'redis://:TOP-SECRET@h:6379/0']);
            $this->fail('expected a ConfigurationException');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringContainsString('`redis_connection` and `redis_url`', $e->getMessage());
            $this->assertStringNotContainsString('TOP-SECRET', $e->getMessage());
        }
    }

    public function testAUnixSocketIsRefusedWithTheFix(): void
    {
        $this->expectException(\O365\ConfigurationException::class);
        $this->expectExceptionMessage('Unix socket');
        RedisUrl::fromConnection('sock', ['sock' => ['host' => '/run/redis/redis.sock', 'port' => 0]]);
    }

    public function testThePasswordNeverShowsInATrace(): void
    {
        $ignoreArgs = ini_set('zend.exception_ignore_args', '0');
        try {
            (new MailerFactory([], self::REDIS))->settings(['transport' => 'o365', 'redis_connection' => 'nope']);
            $this->fail('expected a ConfigurationException');
        } catch (\O365\ConfigurationException $e) {
            $this->assertStringNotContainsString('TOP-SECRET', print_r(array_column($e->getTrace(), 'args'), true));
            $this->assertStringNotContainsString('TOP-SECRET', $e->getMessage());
        } finally {
            ini_set('zend.exception_ignore_args', (string) $ignoreArgs);
        }
    }
}
