<?php

declare(strict_types=1);

namespace O365\Tests\Extension;

use O365\Tests\Support\Emulator;
use O365\Tests\Support\TestMail;
use PHPUnit\Framework\TestCase;

/**
 * When the progress callback throws but Graph accepted the message anyway, the caller
 * gets the receipt, with the exception described in `warnings`, never the exception
 * alone (before: the callback's exception and no receipt, so a retry sent the message
 * twice). When the outcome is unknown, OutcomeUnknownException carries the callback's
 * exception as getPrevious(); when nothing was sent, the callback's own exception.
 */
final class CallbackThrowsAfterAcceptanceTest extends TestCase
{
    private static function mime(int $attachmentBytes): string
    {
        return TestMail::mime('s', $attachmentBytes, 'alice@contoso.com');
    }

    private static function thrower(string $phase): \Closure
    {
        return static function (array $p) use ($phase): void {
            if ($p['phase'] === $phase) {
                throw new \LogicException("progress bar broke at $phase");
            }
        };
    }

    public function testThrowingAfterTheLargeMessageWasSentStillReturnsTheReceipt(): void
    {
        $emulator = new Emulator();
        $receipt = (new \O365\Mailer($emulator->config()))->sendMime(self::mime(5 * 1024 * 1024), null, [], self::thrower('done'));

        $this->assertSame('draft', $receipt['route']);
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $receipt['request_id']);
        $this->assertCount(1, $receipt['warnings']);
        $this->assertStringContainsString('the progress callback threw LogicException: progress bar broke at done but the message was sent', $receipt['warnings'][0]);
        $this->assertCount(1, $emulator->messages());
    }

    public function testASmallMessageGoesOutInOneRequestEvenWhenTheCallbackThrowsFirst(): void
    {
        $emulator = new Emulator();
        $receipt = o365_send_mime($emulator->config(), self::mime(0), null, [], self::thrower('prepare'));

        $this->assertSame('mime', $receipt['route']);
        $this->assertStringContainsString('LogicException: progress bar broke at prepare but the message was sent', $receipt['warnings'][0]);
        $this->assertCount(1, $emulator->messages());
    }

    public function testAnUnknownOutcomeIsNotHiddenByTheCallbacksException(): void
    {
        $emulator = new Emulator();
        // The draft's /send ("/send" is not in "/users/alice@…/messages"): Graph may have acted.
        $emulator->addFaults([['match' => ['path' => '/send', 'method' => 'POST'], 'status' => 504, 'times' => 10]]);
        try {
            (new \O365\Mailer($emulator->config()))->sendMime(self::mime(5 * 1024 * 1024), null, [], self::thrower('send'));
            $this->fail('expected OutcomeUnknownException');
        } catch (\O365\OutcomeUnknownException $e) {
            $this->assertStringContainsString('check Sent Items before sending again', $e->getMessage());
            $this->assertInstanceOf(\LogicException::class, $e->getPrevious());
            $this->assertSame('progress bar broke at send', $e->getPrevious()->getMessage());
        }
    }

    public function testThrowingBeforeTheMessageWasSentGivesTheCallbacksException(): void
    {
        $emulator = new Emulator();
        try {
            (new \O365\Mailer($emulator->config()))->sendMime(self::mime(5 * 1024 * 1024), null, [], self::thrower('upload'));
            $this->fail('expected the callback\'s exception');
        } catch (\LogicException $e) {
            $this->assertSame('progress bar broke at upload', $e->getMessage());
        }
        $this->assertSame([], $emulator->messages());
        $this->assertSame([], $emulator->json('GET', '/_emulator/drafts'));
    }
}
