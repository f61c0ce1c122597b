<?php

declare(strict_types=1);

namespace O365\Bench\Baseline;

use Illuminate\Http\Client\RequestException;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mailer\Transport\AbstractTransport;
use Symfony\Component\Mime\Address;
use Symfony\Component\Mime\MessageConverter;
use Symfony\Component\Mime\Part\DataPart;

/**
 * The PHP-userland baseline (bench only, never shipped): converts the Symfony Email to
 * Graph's JSON message with base64 attachments in PHP and posts it to /sendMail.
 */
final class GraphBaselineTransport extends AbstractTransport
{
    public function __construct(private readonly GraphApi $graph)
    {
        parent::__construct();
    }

    protected function doSend(SentMessage $message): void
    {
        $email = MessageConverter::toEmail($message->getOriginalMessage());
        $html = self::text($email->getHtmlBody());
        $payload = [
            'message' => array_filter([
                'subject' => $email->getSubject(),
                'body' => $html !== null
                    ? ['contentType' => 'HTML', 'content' => $html]
                    : ['contentType' => 'Text', 'content' => (string) self::text($email->getTextBody())],
                'from' => self::recipients($email->getFrom())[0] ?? null,
                'toRecipients' => self::recipients($email->getTo()),
                'ccRecipients' => self::recipients($email->getCc()),
                'bccRecipients' => self::recipients($email->getBcc()),
                'replyTo' => self::recipients($email->getReplyTo()),
                'attachments' => array_map(static fn (DataPart $a): array => [
                    '@odata.type' => '#microsoft.graph.fileAttachment',
                    'name' => $a->getFilename() ?? 'attachment',
                    'contentType' => $a->getContentType(),
                    'contentBytes' => base64_encode($a->getBody()),
                    'contentId' => $a->hasContentId() ? $a->getContentId() : null,
                    'isInline' => $a->getDisposition() === 'inline',
                ], $email->getAttachments()),
            ], static fn ($v) => $v !== null && $v !== []),
            'saveToSentItems' => true,
        ];
        try {
            $this->graph->sendMail($message->getEnvelope()->getSender()->getAddress(), $payload);
        } catch (RequestException $e) {
            throw new TransportException('Request to Microsoft Graph failed. Reason: '.$e->getMessage(), $e->getCode(), $e);
        }
    }

    public function __toString(): string
    {
        return 'graph-baseline';
    }

    /** @param list<Address> $addresses */
    private static function recipients(array $addresses): array
    {
        return array_map(static fn (Address $a): array => ['emailAddress' => array_filter(['address' => $a->getAddress(), 'name' => $a->getName()])], $addresses);
    }

    /** @param resource|string|null $body */
    private static function text($body): ?string
    {
        return is_resource($body) ? (string) stream_get_contents($body) : $body;
    }
}
