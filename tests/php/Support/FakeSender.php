<?php

declare(strict_types=1);

namespace O365\Tests\Support;

use O365\Sender;

/**
 * A Sender that records what the transport hands it and answers with a given receipt
 * or exception: the seam for unit tests of the transport's own logic (no emulator, no
 * Mailer). The sends themselves are tested against the emulator elsewhere.
 */
final class FakeSender implements Sender
{
    /** @var list<array{chunks: list<string>, mailbox: ?string, recipients: list<string>, onProgress: ?\Closure}> */
    public array $calls = [];

    public function __construct(private readonly array|\Throwable $answer = [])
    {
    }

    public function send(iterable $mime, ?string $mailbox, array $recipients, ?\Closure $onProgress = null): array
    {
        $chunks = [];
        foreach ($mime as $chunk) {
            $chunks[] = $chunk;
        }
        $this->calls[] = ['chunks' => $chunks, 'mailbox' => $mailbox, 'recipients' => $recipients, 'onProgress' => $onProgress];
        if ($this->answer instanceof \Throwable) {
            throw $this->answer;
        }

        return $this->answer + ['mailbox' => 'sender@contoso.com', 'request_id' => 'req-1', 'client_request_id' => 'creq-1',
            'route' => 'mime', 'already_sent' => false, 'warnings' => []];
    }

    /** The MIME of the one send. */
    public function mime(): string
    {
        return implode('', $this->calls[0]['chunks'] ?? []);
    }
}
