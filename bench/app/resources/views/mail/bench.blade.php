<!doctype html>
<html><body style="font-family: Arial, sans-serif">
<h1>Invoice INV-2026-0042</h1>
<p>Dear customer, thank you for your order. Your invoice is attached as a PDF; the items are listed below.</p>
<table cellpadding="4" style="border-collapse: collapse">
@foreach ($rows as $row)
<tr><td>Item {{ $row }}</td><td>Consulting services, week {{ $row }}</td><td align="right">{{ number_format($row * 12.5, 2) }} EUR</td></tr>
@endforeach
</table>
<p>Questions? Reply to this message or call +31 20 555 0100. Contoso B.V., Keizersgracht 1, Amsterdam.</p>
</body></html>
