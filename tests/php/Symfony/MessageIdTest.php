<?php

declare(strict_types=1);

namespace O365\Tests\Symfony;

use O365\Symfony\Transport;
use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mime\Email;

/**
 * The streaming transport sends the Message-ID Symfony gave the sent message (or the one
 * the app set), once: Graph gets the id the SentMessage carries, and getMessageId()
 * still reports Graph's request-id.
 */
final class MessageIdTest extends TestCase
{
    private Emulator $emulator;

    protected function setUp(): void
    {
        $this->emulator = new Emulator();
    }

    private function send(Email $email): SentMessage
    {
        $dsn = sprintf('o365://%s:%s@%s?%s', Emulator::CLIENT_ID, rawurlencode(Emulator::CLIENT_SECRET), Emulator::TENANT_ID,
            http_build_query(['login_endpoint' => $this->emulator->baseUrl, 'graph_endpoint' => $this->emulator->baseUrl, 'max_retries' => 0]));
        $sent = Transport::fromDsn($dsn)->send($email->from('sender@contoso.com')->to('ann@example.com')->subject('Ids')->text('Hello.'));
        $this->assertInstanceOf(SentMessage::class, $sent);

        return $sent;
    }

    /** The Message-ID header of raw MIME, or null. */
    private static function messageId(string $mime): ?string
    {
        $head = (string) preg_replace("/\r\n[ \t]+/", ' ', substr($mime, 0, (int) strpos($mime, "\r\n\r\n")));

        return preg_match('/^Message-ID:\s*(.+)$/mi', $head, $m) ? trim($m[1]) : null;
    }

    public function testGraphGetsTheMessageIdOfTheSentMessage(): void
    {
        $sent = $this->send(new Email());

        $m = $this->emulator->messages()[0];
        $id = self::messageId($m['mime']);
        $this->assertMatchesRegularExpression('/^<[0-9a-f]{32}@contoso\.com>$/', (string) $id, 'Symfony\'s generated id');
        $this->assertSame($id, self::messageId($sent->toString()), 'the sent message and Graph agree on the Message-ID');
        $this->assertSame(1, substr_count($m['mime'], 'Message-ID:'), 'one Message-ID header');
        $this->assertSame($m['request_id'], $sent->getMessageId(), 'the transport reports Graph\'s request-id');
    }

    public function testAMessageIdSetByTheAppIsSentUnchanged(): void
    {
        $email = new Email();
        $email->getHeaders()->addIdHeader('Message-ID', 'invoice-42.7@app.contoso.com');
        $sent = $this->send($email);

        $m = $this->emulator->messages()[0];
        $this->assertSame('<invoice-42.7@app.contoso.com>', self::messageId($m['mime']));
        $this->assertSame('<invoice-42.7@app.contoso.com>', self::messageId($sent->toString()));
        $this->assertFalse($email->getHeaders()->has('X-O365-Request-Id'), 'the app\'s own message object is left alone');
    }

    public function testAMessageRenderedWithoutAGeneratorGetsTheSameId(): void
    {
        // A message class whose rendering is no generator: SentMessage's copy cannot be
        // reached, so the transport adds the id SentMessage generated to a clone.
        $sent = $this->send(new class extends Email {
            public function toIterable(): iterable
            {
                return iterator_to_array(parent::toIterable(), false);
            }
        });

        $id = self::messageId($this->emulator->messages()[0]['mime']);
        $this->assertNotNull($id);
        $this->assertSame($id, self::messageId($sent->toString()));
    }
}
