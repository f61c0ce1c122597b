<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase;

/**
 * The arrays the extension returns list their keys in the order docs/contracts.md gives:
 * callers that print, log or serialise them (o365:check, a log context) see a stable shape.
 */
final class ResultKeyOrderTest extends TestCase
{
    private const RECEIPT = ['mailbox', 'request_id', 'client_request_id', 'route', 'already_sent', 'warnings'];
    private const DIAGNOSE = ['roles', 'missing', 'expires_at', 'token_endpoint', 'graph_endpoint', 'cloud', 'tenant', 'oid', 'app_id', 'credential', 'warnings', 'limiter', 'credential_details'];
    private const CHECK_MAILBOX = ['mailbox', 'status', 'graph_code', 'status_code', 'request_id', 'message', 'hint'];
    private const PROGRESS = ['phase', 'bytes_sent', 'bytes_total', 'attachment'];

    private static function mime(string $subject): string
    {
        return "From: Sender <sender@contoso.com>\r\nTo: Ann <ann@example.com>\r\nSubject: $subject\r\n"
            ."Message-ID: <".bin2hex(random_bytes(8))."@contoso.com>\r\n"
            ."MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody.\r\n";
    }

    public function testReceiptsOfEverySendPathListTheirKeysInTheDocumentedOrder(): void
    {
        $emulator = new Emulator();
        $mailer = new \O365\Mailer($emulator->config());
        $progress = [];
        $receipts = [
            'sendMime' => $mailer->sendMime(self::mime('one'), null, [], static function (array $p) use (&$progress): bool {
                $progress[] = array_keys($p);

                return true;
            }),
            'sendMimeStream' => $mailer->sendMimeStream([self::mime('two')]),
            'o365_send_mime' => o365_send_mime($emulator->config(), self::mime('three')),
        ];
        foreach ($receipts as $how => $receipt) {
            $this->assertSame(self::RECEIPT, array_keys($receipt), $how);
        }
        $this->assertNotEmpty($progress, 'the progress callable was called');
        foreach ($progress as $keys) {
            $this->assertSame(self::PROGRESS, $keys);
        }
        $this->assertCount(3, $emulator->messages());
    }

    public function testDiagnoseListsItsKeysInTheDocumentedOrder(): void
    {
        $emulator = new Emulator();
        $report = (new \O365\Mailer($emulator->config()))->diagnose();
        $this->assertSame(self::DIAGNOSE, array_keys($report));
    }

    public function testCheckMailboxListsItsKeysInTheDocumentedOrderWhetherUsableOrRefused(): void
    {
        $emulator = new Emulator(['--mailbox', 'sender@contoso.com']);
        $mailer = new \O365\Mailer($emulator->config());
        $usable = $mailer->checkMailbox('sender@contoso.com');
        $this->assertSame('usable', $usable['status']);
        $this->assertSame(self::CHECK_MAILBOX, array_keys($usable));

        $missing = $mailer->checkMailbox('nobody@contoso.com');
        $this->assertSame('not_found', $missing['status']);
        $this->assertSame(self::CHECK_MAILBOX, array_keys($missing));
    }
}
