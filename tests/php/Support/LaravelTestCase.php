<?php

declare(strict_types=1);

namespace O365\Tests\Support;

use Illuminate\Foundation\Application;
use Illuminate\Support\Facades\Facade;
use PHPUnit\Framework\TestCase;

/** A real Laravel app whose `o365` mailer points at a fresh emulator. */
abstract class LaravelTestCase extends TestCase
{
    protected Emulator $emulator;
    protected Application $app;

    /** @return list<string> emulator command-line options */
    protected function emulatorArgs(): array
    {
        return [];
    }

    protected function setUp(): void
    {
        $this->emulator = new Emulator($this->emulatorArgs());
        $this->app = LaravelApp::create();
        $this->app['config']->set('mail.mailers.o365', ['transport' => 'o365'] + $this->emulator->config());
    }

    protected function tearDown(): void
    {
        $this->app->flush();
        Facade::clearResolvedInstances();
        Facade::setFacadeApplication(null);
        // Laravel 11+ registers queue:work's event listeners (among them the one that writes
        // failed_jobs) once per process; Laravel's own TestCase resets that between tests.
        if (method_exists(\Illuminate\Queue\Console\WorkCommand::class, 'flushState')) {
            \Illuminate\Queue\Console\WorkCommand::flushState();
        }
        unset($this->app, $this->emulator);
    }

    /** Laravel's real `database` queue on the test bed's sqlite file, with its jobs table. */
    protected function useDatabaseQueue(): void
    {
        $this->app['config']->set('queue.default', 'database');
        touch($this->app->storagePath('database.sqlite'));
        $this->app['db']->connection('sqlite')->getSchemaBuilder()->create('jobs', function ($table): void {
            $table->bigIncrements('id');
            $table->string('queue')->index();
            $table->longText('payload');
            $table->unsignedTinyInteger('attempts');
            $table->unsignedInteger('reserved_at')->nullable();
            $table->unsignedInteger('available_at');
            $table->unsignedInteger('created_at');
        });
    }

    /** The one message the emulator received. */
    protected function onlyMessage(): array
    {
        $messages = $this->emulator->messages();
        $this->assertCount(1, $messages, 'the emulator should have received exactly one message');

        return $messages[0];
    }

    /** Runs an Artisan command; returns [exit code, output]. */
    protected function artisan(string $command, array $parameters = []): array
    {
        $kernel = $this->app->make(\Illuminate\Contracts\Console\Kernel::class);
        $output = new \Symfony\Component\Console\Output\BufferedOutput();
        $code = $kernel->call($command, $parameters, $output);

        return [$code, $output->fetch()];
    }

    /** The value of header `$name` in raw MIME headers (unfolded), or null. */
    protected static function header(string $mime, string $name): ?string
    {
        $head = substr($mime, 0, (int) strpos($mime, "\r\n\r\n"));
        $head = preg_replace("/\r\n[ \t]+/", ' ', $head);
        foreach (explode("\r\n", (string) $head) as $line) {
            if (stripos($line, "$name:") === 0) {
                return trim(substr($line, strlen($name) + 1));
            }
        }

        return null;
    }
}
