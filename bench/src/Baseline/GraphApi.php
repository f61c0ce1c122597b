<?php

declare(strict_types=1);

namespace O365\Bench\Baseline;

use Illuminate\Support\Facades\Cache;
use Illuminate\Support\Facades\Http;

/**
 * The Graph client of a typical userland package: the token lives in Laravel's cache
 * store, every call goes through Laravel's HTTP client (a new Guzzle client and a new
 * curl handle, so a new TCP + TLS connection, per request).
 */
final class GraphApi
{
    public function __construct(private readonly array $config)
    {
    }

    public function sendMail(string $from, array $payload): void
    {
        $this->http()
            ->withToken($this->accessToken())
            ->post($this->config['graph_endpoint'].'/v1.0/users/'.rawurlencode($from).'/sendMail', $payload)
            ->throw();
    }

    private function accessToken(): string
    {
        $key = 'graph-baseline-token:'.sha1($this->config['tenant_id'].'|'.$this->config['client_id']);
        $token = Cache::get($key);
        if (is_string($token)) {
            return $token;
        }
        $response = $this->http()->asForm()->post(
            $this->config['login_endpoint'].'/'.$this->config['tenant_id'].'/oauth2/v2.0/token',
            [
                'grant_type' => 'client_credentials',
                'client_id' => $this->config['client_id'],
                'client_secret' => $this->config['client_secret'],
                'scope' => 'https://graph.microsoft.com/.default',
            ],
        )->throw();
        $token = (string) $response->json('access_token');
        Cache::put($key, $token, max(60, (int) $response->json('expires_in', 3599) - 300));

        return $token;
    }

    private function http(): \Illuminate\Http\Client\PendingRequest
    {
        $http = Http::timeout((int) ($this->config['timeout'] ?? 30))->withOptions(['verify' => $this->config['verify'] ?? true]);

        // Laravel's default connect timeout (10 s) unless the bench raised the timeouts.
        return isset($this->config['timeout']) ? $http->connectTimeout((int) $this->config['timeout']) : $http;
    }
}
