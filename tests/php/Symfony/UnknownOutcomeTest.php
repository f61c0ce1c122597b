<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\OutcomeUnknownTransportException;
use O365\Symfony\Transport;
use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mime\Email;

/**
 * A send whose outcome is unknown (Graph accepted it, then answered 504) reaches Symfony
 * as OutcomeUnknownTransportException (Messenger's unrecoverable exception, where
 * Messenger is installed: no retry) unless `exactly_once` is on, which settles it itself;
 * the same Email sent again is recognised by the ledger (`already_sent`).
 */
final class UnknownOutcomeTest extends TestCase
{
    private static function transport(Emulator $emulator, array $query): \Symfony\Component\Mailer\Transport\TransportInterface
    {
        return Transport::fromDsn(sprintf('o365://%s:%s@%s?%s', Emulator::CLIENT_ID, Emulator::CLIENT_SECRET, Emulator::TENANT_ID, http_build_query($query + [
            'login_endpoint' => $emulator->baseUrl, 'graph_endpoint' => $emulator->baseUrl, 'max_retries' => 0, 'mailbox' => 'desk@contoso.com',
        ])));
    }

    private static function email(): Email
    {
        return (new Email())->from('desk@contoso.com')->to('ann@example.com')->subject('Once')->text('once');
    }

    public function testWithoutExactlyOnceAnUnknownOutcomeIsUnrecoverable(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([['match' => ['path' => 'sendMail'], 'status' => 504, 'deliver' => true, 'times' => 1]]);
        $transport = self::transport($emulator, []);
        $email = self::email();
        try {
            $transport->send($email);
            $this->fail('the outcome is unknown');
        } catch (OutcomeUnknownTransportException $e) {
            $this->assertInstanceOf(\O365\OutcomeUnknownException::class, $e->getPrevious());
            $this->assertStringContainsString('exactly_once', $e->getMessage() . ' ' . ($e->getPrevious()?->getHint() ?? ''));
            if (interface_exists(\Symfony\Component\Messenger\Exception\UnrecoverableExceptionInterface::class)) {
                $this->assertInstanceOf(\Symfony\Component\Messenger\Exception\UnrecoverableExceptionInterface::class, $e);
            }
        }
        $this->assertCount(1, $emulator->messages());
    }

    public function testWithExactlyOnceTheSameFaultIsSettledAndTheEmailSentOnce(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1]]);
        $transport = self::transport($emulator, ['exactly_once' => 'true']);
        // Symfony makes a new Message-ID per send unless the Email has one: a Messenger
        // retry is recognised when the application set it before dispatching.
        $email = self::email();
        $email->getHeaders()->addIdHeader('Message-ID', 'order-42@desk.example');
        $transport->send($email);
        // Sent again with its Message-ID (a retry): the ledger returns the first receipt.
        $transport->send($email);
        $this->assertCount(1, $emulator->messages());
    }

    public function testWithExactlyOnceAnUnsettledOutcomeIsAPlainTransportException(): void
    {
        $emulator = new Emulator();
        $emulator->addFaults([
            ['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'deliver' => true, 'times' => 1],
            ['match' => ['path' => '/messages/', 'method' => 'DELETE'], 'status' => 503, 'times' => 1],
        ]);
        try {
            self::transport($emulator, ['exactly_once' => '1'])->send(self::email());
            $this->fail('still unknown');
        } catch (TransportException $e) {
            $this->assertNotInstanceOf(OutcomeUnknownTransportException::class, $e, 'a retry is safe: it is settled');
            $this->assertInstanceOf(\O365\OutcomeUnknownException::class, $e->getPrevious());
        }
    }
}
