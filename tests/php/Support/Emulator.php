<?php

declare(strict_types=1);

namespace O365\Tests\Support;

/** A freshly started o365-emulator process for one test, stopped when released. */
final class Emulator
{
    public const CLIENT_ID = TestMail::CLIENT_ID;
    public const CLIENT_SECRET = TestMail::CLIENT_SECRET;
    public const TENANT_ID = TestMail::TENANT_ID;

    /** @var resource */
    private $process;
    /** @var array<int, resource> */
    private array $pipes = [];
    public readonly string $baseUrl;
    private ?string $caFile = null;

    /** @param list<string> $args extra command-line options */
    public function __construct(array $args = [])
    {
        $bin = getenv('O365_EMULATOR_BIN') ?: dirname(__DIR__, 3).'/target/debug/o365-emulator';
        if (!is_executable($bin)) {
            throw new \RuntimeException("emulator binary not found at $bin: build it with `cargo build -p o365-emulator`");
        }
        if (in_array('--tls', $args, true)) {
            $this->caFile = tempnam(sys_get_temp_dir(), 'o365-ca-');
            array_push($args, '--ca-out', $this->caFile);
        }
        $cmd = array_merge([$bin, '--listen', '127.0.0.1:0', '--exit-on-stdin-eof'], $args);
        $this->process = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $this->pipes);
        if (!is_resource($this->process)) {
            throw new \RuntimeException('could not start the emulator');
        }
        $line = fgets($this->pipes[1]);
        if ($line === false || !str_starts_with($line, 'http')) {
            throw new \RuntimeException('the emulator did not print its base URL: '.var_export($line, true));
        }
        $this->baseUrl = rtrim(trim($line), '/');
    }

    public function __destruct()
    {
        foreach ($this->pipes as $pipe) {
            if (is_resource($pipe)) {
                fclose($pipe);
            }
        }
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
        if ($this->caFile !== null && is_file($this->caFile)) {
            unlink($this->caFile);
        }
    }

    public function caFile(): ?string
    {
        return $this->caFile;
    }

    /** Config for O365\Mailer pointing at this emulator. */
    public function config(array $overrides = []): array
    {
        $tls = $this->caFile !== null ? ['ca_file' => $this->caFile] : [];

        return TestMail::config($this->baseUrl, array_merge($tls, $overrides));
    }

    /** @return list<array<string, mixed>> messages received, oldest first */
    public function messages(): array
    {
        return $this->json('GET', '/_emulator/messages');
    }

    /** @return list<array<string, mixed>> */
    public function requests(): array
    {
        return $this->json('GET', '/_emulator/requests');
    }

    /** @return array<string, mixed> */
    public function stats(): array
    {
        return $this->json('GET', '/_emulator/stats');
    }

    /** @param list<array<string, mixed>> $rules */
    public function addFaults(array $rules): void
    {
        $this->json('POST', '/_emulator/faults', $rules);
    }

    public function json(string $method, string $path, mixed $body = null): mixed
    {
        $opts = ['http' => ['method' => $method, 'ignore_errors' => true, 'timeout' => 10]];
        if ($body !== null) {
            $opts['http']['header'] = "Content-Type: application/json\r\n";
            $opts['http']['content'] = json_encode($body, JSON_THROW_ON_ERROR);
        }
        if ($this->caFile !== null) {
            $opts['ssl'] = ['cafile' => $this->caFile, 'verify_peer' => true];
        }
        $raw = file_get_contents($this->baseUrl.$path, false, stream_context_create($opts));
        if ($raw === false) {
            throw new \RuntimeException("emulator request $method $path failed");
        }

        return $raw === '' ? null : json_decode($raw, true, 512, JSON_THROW_ON_ERROR);
    }
}
