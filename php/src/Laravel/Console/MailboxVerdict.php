<?php

declare(strict_types=1);

namespace O365\Laravel\Console;

/** What o365:check says about the result of `O365\Mailer::checkMailbox()`: null when usable, else the fix. */
final class MailboxVerdict
{
    /**
     * @param array{mailbox: string, status: string, graph_code: ?string, status_code: ?int, request_id: ?string, message: ?string, hint: ?string} $check
     * @param list<string> $missing what the token lacks (diagnose()'s `missing`)
     */
    public static function explain(array $check, string $clientId, array $missing): ?string
    {
        $m = $check['mailbox'];
        $app = $clientId !== '' ? $clientId : '<client_id>';
        $graph = sprintf('(Graph: %s %s, request-id %s)', $check['status_code'] ?? '?', $check['graph_code'] ?? '?', $check['request_id'] ?? 'none');

        return match ($check['status']) {
            'usable' => null,
            'not_found' => "the mailbox `$m` does not exist in this tenant $graph: set `mailbox` (env O365_MAILBOX) or the From address to a licensed mailbox of the tenant, and check that `tenant_id` is the right tenant",
            'not_enabled' => "the mailbox `$m` cannot be used through Graph $graph: it is unlicensed, on-premises or soft-deleted; assign an Exchange Online license or send from another mailbox",
            'outside_scope' => "the app is restricted and `$m` is outside its scope $graph: for an application access policy, check with "
                ."`Test-ApplicationAccessPolicy -Identity $m -AppId $app` and add the mailbox to the policy's group; for Exchange RBAC for Applications, "
                ."check with `Test-ServicePrincipalAuthorization -Identity $app -Resource $m` and widen the scope of "
                ."`New-ManagementRoleAssignment -App $app -Role \"Application Mail.Send\" -CustomResourceScope <scope>` (changes can take an hour to apply)",
            'access_denied' => ($missing !== [] ? "the token has no Mail.Send role and Graph denied the app the mailbox `$m` $graph" : "Graph denied the app the mailbox `$m` $graph")
                .": add the Microsoft Graph application permission Mail.Send to the app registration and click 'Grant admin consent' (API permissions page in Entra; a new grant can take a few minutes to reach tokens)",
            default => "Graph refused the mailbox `$m` $graph: ".($check['hint'] ?? $check['message'] ?? 'unknown reason'),
        };
    }
}
