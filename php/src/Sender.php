<?php

declare(strict_types=1);

namespace O365;

/**
 * What the Symfony/Laravel transport needs of the extension: one streamed send. The seam
 * that lets the transport's own logic (logging, ids, exception wrapping) be tested with a
 * fake; ExtensionSender is the real one.
 */
interface Sender
{
    /**
     * Sends the MIME chunks from `$mailbox` to every envelope recipient and returns the
     * extension's receipt (`mailbox`, `request_id`, `client_request_id`, `route`,
     * `already_sent`, `warnings`; docs/contracts.md). `$onProgress` as sendMime's.
     *
     * @param iterable<string> $mime
     * @param list<string> $recipients
     *
     * @throws Exception
     */
    public function send(iterable $mime, ?string $mailbox, array $recipients, ?\Closure $onProgress = null): array;
}
