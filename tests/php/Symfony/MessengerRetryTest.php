<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\OutcomeUnknownTransportException;
use O365\Symfony\Transport;
use O365\Tests\Support\Emulator;
use O365\Tests\Support\Skip;
use PHPUnit\Framework\TestCase;
use Psr\Container\ContainerInterface;
use Symfony\Component\EventDispatcher\EventDispatcher;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Messenger\MessageHandler;
use Symfony\Component\Mailer\Messenger\SendEmailMessage;
use Symfony\Component\Messenger\Event\WorkerMessageFailedEvent;
use Symfony\Component\Messenger\Event\WorkerMessageRetriedEvent;
use Symfony\Component\Messenger\Event\WorkerRunningEvent;
use Symfony\Component\Messenger\EventListener\SendFailedMessageForRetryListener;
use Symfony\Component\Messenger\EventListener\SendFailedMessageToFailureTransportListener;
use Symfony\Component\Messenger\Exception\HandlerFailedException;
use Symfony\Component\Messenger\Exception\UnrecoverableExceptionInterface;
use Symfony\Component\Messenger\Handler\HandlersLocator;
use Symfony\Component\Messenger\MessageBus;
use Symfony\Component\Messenger\MessageBusInterface;
use Symfony\Component\Messenger\Middleware\HandleMessageMiddleware;
use Symfony\Component\Messenger\Middleware\SendMessageMiddleware;
use Symfony\Component\Messenger\Retry\MultiplierRetryStrategy;
use Symfony\Component\Messenger\Transport\InMemory\InMemoryTransport;
use Symfony\Component\Messenger\Transport\Sender\SendersLocator;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;
use Symfony\Component\Messenger\Worker;
use Symfony\Component\Mime\Email;

/**
 * A send whose outcome is unknown (Graph accepted it, then answered 504), through the real
 * Symfony Messenger wired as `framework.messenger` wires it for `messenger:consume`: the
 * Mailer dispatches SendEmailMessage to an async transport, a Worker hands it to Mailer's
 * MessageHandler over the o365 transport, and a failure goes through Messenger's retry
 * listener (MultiplierRetryStrategy, max_retries 3) and then to the failure transport.
 * Without `exactly_once` the message is not retried (one sendMail at the emulator, the
 * envelope in the failure transport); with it, a retry is safe and the mail arrives once.
 *
 * Bed: Messenger is in the forky root (scripts/root.sh installs php-symfony-messenger, the
 * same 7.4 as its Mailer); there a missing Messenger fails in CI. The host's Laravel 10 bed
 * holds Laravel 10 and its dependencies, which do not include Messenger: there the test is
 * skipped even in CI (Skip::notInThisBed), since the forky root runs it.
 */
final class MessengerRetryTest extends TestCase
{
    private const ASYNC = 'async';

    private InMemoryTransport $queue;
    private InMemoryTransport $failed;
    /** @var list<WorkerMessageFailedEvent> */
    private array $failures = [];
    /** @var list<WorkerMessageRetriedEvent> */
    private array $retries = [];

    protected function setUp(): void
    {
        if (!interface_exists(MessageBusInterface::class)) {
            $bed = rtrim(getenv('O365_TESTBED') ?: 'laravel10/root', '/');
            if (str_ends_with($bed, 'laravel10/root')) {
                Skip::notInThisBed('Symfony Messenger is not part of the Laravel 10 bed; the forky root (scripts/root.sh) runs this test');
            }
            Skip::because("Symfony Messenger is missing in the bed $bed: scripts/root.sh ensure installs php-symfony-messenger");
        }
    }

    public function testWithoutExactlyOnceAnUnknownOutcomeIsNotRetried(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 504, 'deliver' => true, 'times' => 1]]);

        $this->consume($emulator, []);

        $sendMails = array_filter($emulator->requests(), static fn (array $r): bool => str_ends_with($r['path'], '/sendMail'));
        $this->assertCount(1, $sendMails, 'Graph was asked once');
        $this->assertCount(1, $emulator->messages());
        // The ledger alone would refuse a retry (without a request): what shows that
        // Messenger did not retry is the one failure, not the emulator's count.
        $this->assertCount(1, $this->failures);
        $this->assertFalse($this->failures[0]->willRetry(), 'Messenger must not retry an unknown outcome');
        $this->assertSame([], $this->retries);
        $handlerFailed = $this->failures[0]->getThrowable();
        $this->assertInstanceOf(HandlerFailedException::class, $handlerFailed);
        $wrapped = $handlerFailed->getWrappedExceptions();
        $this->assertCount(1, $wrapped);
        $cause = reset($wrapped);
        $this->assertInstanceOf(OutcomeUnknownTransportException::class, $cause);
        $this->assertInstanceOf(UnrecoverableExceptionInterface::class, $cause);
        $this->assertInstanceOf(\O365\OutcomeUnknownException::class, $cause->getPrevious());
        $this->assertStringContainsString('exactly_once', $cause->getMessage().' '.$cause->getPrevious()->getHint());
        $this->assertCount(1, $this->queue->getRejected(), 'the worker rejected the envelope');
        $this->assertCount(1, $this->failed->getSent(), 'the envelope is in the failure transport');
        $this->assertInstanceOf(SendEmailMessage::class, $this->failed->getSent()[0]->getMessage());
    }

    public function testWithExactlyOnceTheSendSettlesItAndTheMailArrivesOnce(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1]]);

        $this->consume($emulator, ['exactly_once' => '1']);

        $this->assertSame([], $this->failures, 'settled in the same attempt');
        $this->assertCount(1, $this->queue->getAcknowledged());
        $this->assertCount(1, $emulator->messages());
    }

    public function testWithExactlyOnceAnUnsettledOutcomeIsRetriedAndTheMailArrivesOnce(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([
            ['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1],
            // Settling (deleting the draft) fails too: the first attempt cannot know.
            ['match' => ['path' => '/messages/', 'method' => 'DELETE'], 'status' => 503, 'times' => 1],
        ]);

        $this->consume($emulator, ['exactly_once' => '1']);

        $this->assertCount(1, $this->failures);
        $this->assertTrue($this->failures[0]->willRetry(), 'with exactly_once Messenger may retry');
        $cause = $this->failures[0]->getThrowable()->getWrappedExceptions();
        $cause = reset($cause);
        $this->assertInstanceOf(TransportException::class, $cause);
        $this->assertNotInstanceOf(UnrecoverableExceptionInterface::class, $cause);
        $this->assertCount(1, $this->retries);
        $this->assertCount(1, $this->queue->getAcknowledged(), 'the retry succeeded');
        $this->assertSame([], $this->failed->getSent());
        $this->assertCount(1, $emulator->messages(), 'the retry settled it: delivered once');
    }

    /** Dispatches one Email through Mailer and the bus, then runs the worker until the queue is empty. */
    private function consume(Emulator $emulator, array $query): void
    {
        $transport = Transport::fromDsn(sprintf('o365://%s:%s@%s?%s', Emulator::CLIENT_ID, Emulator::CLIENT_SECRET, Emulator::TENANT_ID, http_build_query($query + [
            'login_endpoint' => $emulator->baseUrl, 'graph_endpoint' => $emulator->baseUrl, 'max_retries' => 0, 'mailbox' => 'desk@contoso.com',
        ])));
        // Serialised like a real queue (Doctrine, Redis): the retry handles an unserialised copy.
        $this->queue = new InMemoryTransport(new PhpSerializer());
        $this->failed = new InMemoryTransport(new PhpSerializer());
        $senders = self::locator([self::ASYNC => $this->queue]);
        $bus = new MessageBus([
            new SendMessageMiddleware(new SendersLocator([SendEmailMessage::class => [self::ASYNC]], $senders)),
            new HandleMessageMiddleware(new HandlersLocator([SendEmailMessage::class => [new MessageHandler($transport)]])),
        ]);

        $events = new EventDispatcher();
        $events->addSubscriber(new SendFailedMessageForRetryListener($senders, self::locator([self::ASYNC => new MultiplierRetryStrategy(3, 0)]), null, $events));
        $events->addSubscriber(new SendFailedMessageToFailureTransportListener(self::locator([self::ASYNC => $this->failed])));
        $events->addListener(WorkerMessageFailedEvent::class, fn (WorkerMessageFailedEvent $e) => $this->failures[] = $e, -100);
        $events->addListener(WorkerMessageRetriedEvent::class, fn (WorkerMessageRetriedEvent $e) => $this->retries[] = $e);
        $events->addListener(WorkerRunningEvent::class, function (WorkerRunningEvent $e): void {
            $open = count($this->queue->getSent()) - count($this->queue->getAcknowledged()) - count($this->queue->getRejected());
            if ($e->isWorkerIdle() && $open === 0) {
                $e->getWorker()->stop();
            }
        });

        // Symfony makes a new Message-ID per attempt unless the Email has one: a retry is
        // recognised by the ledger only with the application's own (README, Symfony Messenger).
        $email = (new Email())->from('desk@contoso.com')->to('ann@example.com')->subject('Once')->text('once');
        $email->getHeaders()->addIdHeader('Message-ID', 'order-42@desk.example');
        (new Mailer($transport, $bus))->send($email);
        $this->assertCount(1, $this->queue->getSent(), 'the Mailer queued the mail, it did not send it');
        $this->assertSame([], $emulator->messages());

        (new Worker([self::ASYNC => $this->queue], $bus, $events))->run(['sleep' => 10_000, 'time_limit' => 20]);
    }

    /** @param array<string, object> $services the PSR-11 service locator Symfony's container injects */
    private static function locator(array $services): ContainerInterface
    {
        return new class($services) implements ContainerInterface {
            public function __construct(private readonly array $services)
            {
            }

            public function get(string $id): object
            {
                return $this->services[$id] ?? throw new \LogicException("no service $id");
            }

            public function has(string $id): bool
            {
                return isset($this->services[$id]);
            }
        };
    }
}
