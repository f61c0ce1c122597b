<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\O365Transport;
use O365\Symfony\OutcomeUnknownTransportException;
use O365\Tests\Support\FakeSender;
use PHPUnit\Framework\TestCase;
use Psr\Log\AbstractLogger;
use Symfony\Component\Mailer\Envelope;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mime\Address;
use Symfony\Component\Mime\Email;
use Symfony\Component\Mime\RawMessage;

/**
 * The transport's own logic with a fake Sender (no extension call, no emulator): what it
 * hands the extension, what it records on the message, what it logs, how it wraps the
 * extension's exceptions. The sends themselves: MessageIdTest, UnknownOutcomeTest and
 * tests/php/Laravel against the emulator.
 */
final class O365TransportTest extends TestCase
{
    private static function email(): Email
    {
        return (new Email())->from('sender@contoso.com')->to('ann@example.com')->cc('bob@example.com')->bcc('hidden@example.com')
            ->subject('Hello')->text('Hi')->attach(str_repeat('x', 100), 'a.txt');
    }

    public function testTheSenderGetsTheEnvelopeAndTheMessageInChunks(): void
    {
        $sender = new FakeSender();
        $email = self::email();
        (new O365Transport($sender))->send($email);

        $this->assertCount(1, $sender->calls);
        $call = $sender->calls[0];
        $this->assertSame('sender@contoso.com', $call['mailbox']);
        $this->assertSame(['ann@example.com', 'bob@example.com', 'hidden@example.com'], $call['recipients'], 'Bcc recipients travel in the envelope');
        $this->assertGreaterThan(1, count($call['chunks']), 'the message is streamed, never one string');
        $mime = $sender->mime();
        $this->assertStringContainsString("Subject: Hello\r\n", $mime);
        $this->assertStringNotContainsString('hidden@example.com', $mime, 'Symfony strips Bcc from the MIME');
        $this->assertMatchesRegularExpression('/^Message-ID: <[^>]+@contoso\.com>\r$/m', $mime, 'the MIME carries the Message-ID the ledger keys on');
        $this->assertNull($call['onProgress']);
    }

    public function testAnAppsOwnMessageIdIsTheOneSent(): void
    {
        $sender = new FakeSender();
        $email = self::email();
        $email->getHeaders()->addIdHeader('Message-ID', 'order-42@shop.contoso.com');
        (new O365Transport($sender))->send($email);

        $this->assertSame(1, substr_count($sender->mime(), 'Message-ID:'));
        $this->assertStringContainsString("Message-ID: <order-42@shop.contoso.com>\r\n", $sender->mime());
    }

    public function testARawMessageIsStreamedAsItIs(): void
    {
        $sender = new FakeSender();
        $raw = "From: sender@contoso.com\r\nTo: ann@example.com\r\nSubject: Raw\r\n\r\nbody\r\n";
        (new O365Transport($sender))->send(new RawMessage($raw), new Envelope(new Address('sender@contoso.com'), [new Address('ann@example.com')]));

        $this->assertSame($raw, $sender->mime());
        $this->assertSame(['ann@example.com'], $sender->calls[0]['recipients']);
    }

    public function testGraphsRequestIdIsRecordedOnTheSentMessage(): void
    {
        $email = self::email();
        $sent = (new O365Transport(new FakeSender(['request_id' => 'graph-req-7', 'client_request_id' => 'ours-7'])))->send($email);

        $this->assertSame('graph-req-7', $sent->getMessageId());
        $this->assertSame('graph-req-7', $sent->getOriginalMessage()->getHeaders()->get(O365Transport::REQUEST_ID_HEADER)?->getBodyAsString(), 'on the message the caller gets back');
        $this->assertStringContainsString('Graph accepted the message from sender@contoso.com (request-id graph-req-7, client-request-id ours-7)', $sent->getDebug());
    }

    public function testTheReceiptsWarningsGoToTheLogger(): void
    {
        $logger = new class () extends AbstractLogger {
            public array $records = [];

            public function log($level, \Stringable|string $message, array $context = []): void
            {
                $this->records[] = [$level, (string) $message, $context];
            }
        };
        $sender = new FakeSender(['warnings' => ['dropped: List-Unsubscribe', 'a Sent Items copy'], 'request_id' => 'r-9']);
        (new O365Transport($sender, null, $logger))->send(self::email());

        $warnings = array_values(array_filter($logger->records, static fn (array $r) => $r[0] === 'warning'));
        $this->assertSame([
            ['warning', 'o365: dropped: List-Unsubscribe', ['mailbox' => 'sender@contoso.com', 'request_id' => 'r-9']],
            ['warning', 'o365: a Sent Items copy', ['mailbox' => 'sender@contoso.com', 'request_id' => 'r-9']],
        ], $warnings);
    }

    public function testAnExtensionFailureBecomesSymfonysTransportException(): void
    {
        $graph = new \O365\GraphException('Graph refused: ErrorSendAsDenied. Fix: grant Send As', 403);
        try {
            (new O365Transport(new FakeSender($graph)))->send(self::email());
            $this->fail('expected a TransportException');
        } catch (TransportException $e) {
            $this->assertSame(TransportException::class, $e::class);
            $this->assertSame('Request to Microsoft Graph failed. Reason: Graph refused: ErrorSendAsDenied. Fix: grant Send As', $e->getMessage());
            $this->assertSame(403, $e->getCode());
            $this->assertSame($graph, $e->getPrevious(), 'the extension exception, with its Graph facts, stays reachable');
        }
    }

    public function testAnUnknownOutcomeIsNotRetriedUnlessExactlyOnceSettlesIt(): void
    {
        $lost = new \O365\OutcomeUnknownException('the answer to /sendMail was lost');
        try {
            (new O365Transport(new FakeSender($lost)))->send(self::email());
            $this->fail('expected an OutcomeUnknownTransportException');
        } catch (OutcomeUnknownTransportException $e) {
            $this->assertSame($lost, $e->getPrevious());
            $this->assertStringContainsString('the answer to /sendMail was lost', $e->getMessage());
        }

        try {
            (new O365Transport(new FakeSender($lost), null, null, null, true))->send(self::email());
            $this->fail('expected a TransportException');
        } catch (TransportException $e) {
            $this->assertNotInstanceOf(OutcomeUnknownTransportException::class, $e, 'exactly_once settles it: a retry is safe');
            $this->assertSame($lost, $e->getPrevious());
        }
    }

    public function testAFailureOutsideTheExtensionIsNotDisguised(): void
    {
        $bug = new \LogicException('a bug in a fake');
        try {
            (new O365Transport(new FakeSender($bug)))->send(self::email());
            $this->fail('expected the LogicException');
        } catch (\LogicException $e) {
            $this->assertSame($bug, $e);
        }
    }

    public function testTheProgressCallbackReachesTheSender(): void
    {
        $seen = [];
        $sender = new FakeSender();
        $transport = new O365Transport($sender, null, null, static function (array $p) use (&$seen): bool {
            $seen[] = $p['phase'];

            return true;
        });
        $transport->send(self::email());

        $this->assertInstanceOf(\Closure::class, $sender->calls[0]['onProgress']);
        ($sender->calls[0]['onProgress'])(['phase' => 'upload']);
        $this->assertSame(['upload'], $seen);
        $this->assertSame('o365', (string) $transport);
    }
}
