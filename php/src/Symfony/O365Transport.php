<?php

declare(strict_types=1);

namespace O365\Symfony;

use O365\ExtensionSender;
use O365\Mailer;
use O365\Sender;
use Psr\EventDispatcher\EventDispatcherInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mailer\Transport\AbstractTransport;
use Symfony\Component\Mime\Address;
use Symfony\Component\Mime\Header\IdentificationHeader;
use Symfony\Component\Mime\Message;
use Symfony\Component\Mime\RawMessage;

/**
 * Symfony Mailer transport: hands rendered MIME and the envelope to the o365 extension
 * (through a Sender: the extension's Mailer, or a fake in tests), logs the receipt's
 * warnings, records Graph's request-id on the message and wraps the extension's
 * exceptions in Symfony's TransportException kinds.
 */
final class O365Transport extends AbstractTransport
{
    /** The header that carries Graph's request-id on the sent message. */
    public const REQUEST_ID_HEADER = 'X-O365-Request-Id';

    private readonly Sender $sender;

    /** @var (\Closure(array): mixed)|null */
    private readonly ?\Closure $onProgress;

    /**
     * `$onProgress` gets the upload progress of large messages (the array the extension's
     * sendMime passes); return false from it to cancel. Fixed for the transport's life:
     * a caller that wants progress builds its own transport. `$exactlyOnce`: the mailer's
     * `exactly_once`; without it an unknown outcome is not retried by a queue. An
     * `O365\Mailer` is taken as its ExtensionSender.
     */
    public function __construct(
        Sender|Mailer $mailer,
        ?EventDispatcherInterface $dispatcher = null,
        ?LoggerInterface $logger = null,
        ?callable $onProgress = null,
        private readonly bool $exactlyOnce = false,
    ) {
        parent::__construct($dispatcher, $logger);
        $this->sender = $mailer instanceof Sender ? $mailer : new ExtensionSender($mailer);
        $this->onProgress = $onProgress === null ? null : \Closure::fromCallable($onProgress);
    }

    protected function doSend(SentMessage $message): void
    {
        $envelope = $message->getEnvelope();
        $recipients = array_map(static fn (Address $a): string => $a->getAddress(), $envelope->getRecipients());

        try {
            $receipt = $this->sender->send(self::chunks($message), $envelope->getSender()->getAddress(), $recipients, $this->onProgress);
        } catch (\O365\OutcomeUnknownException $e) {
            // Retrying could deliver it twice: unless exactly_once settles it, no queue may.
            $class = $this->exactlyOnce ? TransportException::class : OutcomeUnknownTransportException::class;
            throw new $class('Request to Microsoft Graph failed. Reason: '.$e->getMessage(), (int) $e->getCode(), $e);
        } catch (\O365\Exception $e) {
            throw new TransportException('Request to Microsoft Graph failed. Reason: '.$e->getMessage(), (int) $e->getCode(), $e);
        }

        // Headers the JSON form had to drop, a Sent Items copy that could not be avoided.
        foreach ($receipt['warnings'] ?? [] as $warning) {
            $this->getLogger()->warning('o365: '.$warning, ['mailbox' => $receipt['mailbox'], 'request_id' => $receipt['request_id']]);
        }

        // Graph's request-id identifies this send at Microsoft: quote it to their support.
        $message->setMessageId($receipt['request_id']);
        $original = $message->getOriginalMessage();
        if ($original instanceof Message) {
            $original->getHeaders()->addTextHeader(self::REQUEST_ID_HEADER, $receipt['request_id']);
        }
        $message->appendDebug(sprintf("Graph accepted the message from %s (request-id %s, client-request-id %s)\n",
            $receipt['mailbox'], $receipt['request_id'], $receipt['client_request_id']));
    }

    /**
     * The message as chunks, never one string: file attachments are read from disk as
     * they are sent. Iterates the copy SentMessage made of the message, which carries the
     * Message-ID it reports (see sentCopy()), not SentMessage's RawMessage (which keeps
     * every chunk it yields); else a clone of the original with that Message-ID.
     *
     * @return iterable<string>
     */
    private static function chunks(SentMessage $sent): iterable
    {
        $copy = self::sentCopy($sent);
        if ($copy !== null) {
            return $copy->toIterable();
        }
        $original = $sent->getOriginalMessage();
        if (!$original instanceof Message) {
            return $sent->getMessage()->toIterable();
        }
        $message = clone $original;
        if (!$message->getHeaders()->has('Message-ID')) {
            $message->getHeaders()->addIdHeader('Message-ID', $sent->getMessageId());
        }

        return $message->toIterable();
    }

    /**
     * SentMessage's own copy of the message, with the Message-ID header it generated (or
     * the app set), reached through the not yet started generator its RawMessage holds
     * (Symfony 6.4 to 7.4). Adding the id to a clone instead costs a second run of
     * Symfony's e-mail validator on it (an id is checked as an address): ~0.5 M
     * instructions per send, a quarter of the whole send. Null when a version builds
     * SentMessage otherwise, or the copy does not carry the id SentMessage reports.
     */
    private static function sentCopy(SentMessage $sent): ?Message
    {
        $inner = \Closure::bind(static fn (RawMessage $raw): mixed => $raw->message ?? null, null, RawMessage::class)($sent->getMessage());
        if (!$inner instanceof \Generator) {
            return null;
        }
        try {
            $copy = (new \ReflectionGenerator($inner))->getThis();
        } catch (\ReflectionException) {
            return null; // a finished generator: the message was rendered already
        }
        $id = $copy instanceof Message ? $copy->getHeaders()->get('Message-ID') : null;

        return $id instanceof IdentificationHeader && $id->getId() === $sent->getMessageId() ? $copy : null;
    }

    public function __toString(): string
    {
        return 'o365';
    }
}
