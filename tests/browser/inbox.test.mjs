// The emulator's web inbox in a real browser (Debian's Chromium, driven by
// playwright-core; no browser is downloaded). Mail goes through the real PHP extension.
//
// Asserts: a message with an inline image and a PDF, sent with O365\Mailer::sendMime,
// appears in the open inbox without a reload (server-sent events), with sender name,
// recipients and attachment counts; its view shows display names, Graph's request-id and
// client-request-id and the route; the cid: image has loaded inside the sandboxed frame
// (naturalWidth > 0) and the mail's script did not run; the PDF downloads under its name
// with the right SHA-256 (and HEAD answers); a 5 MB message shows the draft + upload
// session route and the requests that made it; search narrows the list; delete removes a
// row; sends refused by Graph (unknown mailbox 404, a 403 fault rule) show in Requests
// with status, error code, mailbox and the fault rule; a burst of 80 sends all shows up
// in the open inbox. Screenshots of the inbox and the
// message view at 1280 px go to $SCREENSHOTS (default .build/browser).
//
// Environment: EMULATOR (binary), EXTENSION (libo365.so), CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const EMULATOR = process.env.EMULATOR || join(root, 'target/debug/o365-emulator');
const EXTENSION = process.env.EXTENSION || join(root, 'target/debug/libo365.so');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOTS || join(root, '.build/browser');
const MAILBOX = 'sender@contoso.com';
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'o365-browser-'));
let checks = 0;
let emulator;
let context;

function step(name) {
  console.log(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  checks++;
}

// ---- fixtures: a PNG drawn here, a small PDF, the MIME message ----------------------------
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function png(width, height, pixel) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const logo = png(180, 48, (x, y) => (x < 48 ? [15, 108, 189] : (y > 18 && y < 30 && x % 12 < 8 ? [27, 42, 58] : [232, 241, 251])));
const pdf = Buffer.from(`%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj
4 0 obj<</Length 44>>stream
BT /F1 18 Tf 40 70 Td (Q4 report) Tj ET
endstream endobj
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
trailer<</Root 1 0 R>>
%%EOF
`);
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const b64 = (b) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

function mime({ from, to, cc = '', subject, text, html, image, attachment }) {
  const lines = [`From: ${from}`, `To: ${to}`, cc && `Cc: ${cc}`, `Subject: ${subject}`, 'MIME-Version: 1.0',
    `Date: ${new Date().toUTCString()}`, `Message-ID: <${Math.random().toString(36).slice(2)}@app.test>`].filter(Boolean);
  const alt = `--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--alt--`;
  let body = `Content-Type: multipart/alternative; boundary=alt\r\n\r\n${alt}`;
  if (image) {
    body = `Content-Type: multipart/related; boundary=rel\r\n\r\n--rel\r\n${body}\r\n--rel\r\nContent-Type: image/png; name=logo.png\r\n` +
      `Content-Transfer-Encoding: base64\r\nContent-ID: <logo@app.test>\r\nContent-Disposition: inline; filename=logo.png\r\n\r\n${b64(image)}\r\n--rel--`;
  }
  if (attachment) {
    body = `Content-Type: multipart/mixed; boundary=mix\r\n\r\n--mix\r\n${body}\r\n--mix\r\nContent-Type: ${attachment.type}; name="${attachment.name}"\r\n` +
      `Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${attachment.name}"\r\n\r\n${b64(attachment.bytes)}\r\n--mix--`;
  }
  return `${lines.join('\r\n')}\r\n${body}\r\n`;
}

// Sends through the real extension in a PHP process (`message` null: runs the mailbox
// check instead, as `o365:check` does).
function send(base, message, mailbox) {
  const file = join(work, `m${Math.random().toString(36).slice(2)}.eml`);
  if (message !== null) writeFileSync(file, message);
  const args = ['-d', `extension=${EXTENSION}`, join(here, 'send.php'), base, message === null ? '--check' : file];
  if (mailbox) args.push(mailbox);
  const r = spawnSync('php', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `php failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function startEmulator() {
  return new Promise((ok, fail) => {
    emulator = spawn(EMULATOR, ['--listen', '127.0.0.1:0', '--mailbox', MAILBOX, '--mailbox', 'support@contoso.com', '--exit-on-stdin-eof'],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    emulator.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) ok(out.split('\n')[0].trim());
    });
    emulator.on('exit', (code) => fail(new Error(`emulator exited (${code}) before printing its URL`)));
  });
}

const report = mime({
  from: '"Ada Lovelace" <sender@contoso.com>',
  to: '"Grace Hopper" <grace@example.com>, ops@example.com',
  cc: '"Finance Team" <finance@example.com>',
  subject: 'Quarterly report Q4 – figures attached',
  text: 'Hello Grace,\r\n\r\nthe Q4 figures are in the attached PDF.\r\n\r\nAda',
  html: '<html><body style="font-family:sans-serif"><p><img id="logo" src="cid:logo@app.test" alt="logo" width="180" height="48"></p>' +
    '<p>Hello Grace,</p><p>the <b>Q4 figures</b> are in the attached PDF.</p><p>Ada</p>' +
    '<script>parent.document.title = "pwned"; document.body.dataset.ran = "yes";</script></body></html>',
  image: logo,
  attachment: { name: 'report-q4.pdf', type: 'application/pdf', bytes: pdf },
});

// A 1280 px wide screenshot, cut below the content (at most one 800 px screen).
async function shot(page, name) {
  const bottom = await page.evaluate(() => Math.ceil(document.querySelector('main').getBoundingClientRect().bottom));
  await page.screenshot({ path: join(SHOTS, name), clip: { x: 0, y: 0, width: 1280, height: Math.min(800, bottom) } });
}

async function main() {
  const base = await startEmulator();
  step(`emulator at ${base}`);
  const profile = join(work, 'profile');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const blocked = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The mail's own script being refused is the sandbox at work: evidence, not a fault.
    if (/Blocked script execution in '.*\/html' because the document's frame is sandboxed/.test(m.text())) blocked.push(m.text());
    else problems.push(`console: ${m.text()}`);
  });

  // Open inbox, empty; mark the document so that a reload would show.
  await page.goto(base);
  await page.waitForSelector('text=No messages yet');
  await page.waitForSelector('#live:not(.off)');
  await page.evaluate(() => { window.__noReload = true; });
  step('empty inbox open, live stream connected');

  // Send through the extension: the row appears live.
  const sent = send(base, report);
  assert.ok(sent.ok, `send failed: ${JSON.stringify(sent)}`);
  const row = page.locator('.row', { hasText: 'Quarterly report Q4' });
  await row.waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page reloaded');
  step('message sent with O365\\Mailer::sendMime appeared without a reload');

  const text = await row.innerText();
  for (const needle of ['Ada Lovelace', 'sender@contoso.com', 'Grace Hopper', 'Finance Team', 'the Q4 figures are in the attached PDF', 'just now']) {
    assert.ok(text.includes(needle), `inbox row lacks ${needle}: ${text}`);
  }
  assert.equal(await row.locator('.tag.att').innerText(), '1');
  assert.equal(await row.locator('.tag.inline').innerText(), '1');
  assert.match(await row.getAttribute('class'), /unread/);
  assert.match(await row.locator('.time').getAttribute('title'), /\d{4}-\d\d-\d\dT/);
  step('row: sender name + address, recipients, snippet, 1 attachment + 1 inline, relative + exact time, unread');

  // A few more messages, so the list looks like a day of development.
  for (const [from, to, subject, body] of [
    ['"Laravel App" <support@contoso.com>', '"Tom Baker" <tom@example.org>', 'Reset your password', 'Click the link below to choose a new password. The link expires in 60 minutes.'],
    ['"Billing" <sender@contoso.com>', 'accounts@fabrikam.example', 'Invoice INV-2026-0142 is due', 'Your invoice of 1,240.00 EUR is due on 15 December. Pay online or by bank transfer.'],
    ['"Laravel App" <support@contoso.com>', '"Mei Chen" <mei.chen@example.net>', 'Welcome to Contoso, Mei!', 'Thanks for signing up. Here is how to get started with your new account.'],
  ]) {
    const r = send(base, mime({ from, to, subject, text: body, html: `<p>${body}</p>` }), from.includes('support') ? 'support@contoso.com' : undefined);
    assert.ok(r.ok, JSON.stringify(r));
  }
  await page.locator('.row').nth(3).waitFor();
  assert.equal(await page.locator('.row').count(), 4);
  await page.locator('.row', { hasText: 'Welcome to Contoso' }).waitFor();
  await page.waitForTimeout(2100); // let the "new" highlight fade before the screenshot
  mkdirSync(SHOTS, { recursive: true });
  await shot(page, 'emulator-inbox.png');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  assert.equal(overflow, false, 'the inbox overflows 1280 px');
  step('4 messages listed, inbox screenshot, no horizontal overflow at 1280 px');

  // Open the message.
  await row.click();
  await page.waitForSelector('#subject');
  assert.equal(await page.locator('#subject').innerText(), 'Quarterly report Q4 – figures attached');
  const head = await page.locator('.fields').first().innerText();
  for (const needle of ['Ada Lovelace', '<sender@contoso.com>', 'Grace Hopper', '<grace@example.com>', 'ops@example.com', 'Finance Team']) {
    assert.ok(head.includes(needle), `message header lacks ${needle}: ${head}`);
  }
  assert.equal(await page.locator('#request-id').innerText(), sent.receipt.request_id);
  assert.equal(await page.locator('#client-request-id').innerText(), sent.receipt.client_request_id);
  assert.equal(await page.locator('#route').innerText(), 'MIME → sendMail');
  step('message view: display names, request-id and client-request-id of the send, route');

  // The inline image loaded inside the sandboxed frame; the mail's script never ran.
  const frame = await (await page.waitForSelector('#html-body')).contentFrame();
  await frame.waitForSelector('#logo');
  await frame.waitForFunction(() => document.getElementById('logo').complete);
  const natural = await frame.evaluate(() => document.getElementById('logo').naturalWidth);
  assert.equal(natural, 180, 'the cid: image did not load');
  assert.equal(await frame.evaluate(() => document.body.dataset.ran || 'no'), 'no', 'mail script ran');
  assert.notEqual(await page.title(), 'pwned');
  assert.ok(blocked.length > 0, 'Chromium did not report the blocked mail script');
  step('cid: image loaded in the HTML body (naturalWidth 180); mail scripts blocked by the sandbox + CSP');
  await page.screenshot({ path: join(SHOTS, 'emulator-message.png') });

  // Download the PDF: name from Content-Disposition, bytes intact; HEAD answers too.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.att-link', { hasText: 'report-q4.pdf' }).click()]);
  assert.equal(download.suggestedFilename(), 'report-q4.pdf');
  assert.equal(sha256(readFileSync(await download.path())), sha256(pdf));
  const id = decodeURIComponent(new URL(page.url()).pathname.slice(4));
  const att = (await (await fetch(`${base}/_emulator/messages/${id}`)).json()).attachments.findIndex((a) => a.name === 'report-q4.pdf');
  const head2 = await fetch(`${base}/_emulator/messages/${id}/attachments/${att}`, { method: 'HEAD' });
  assert.equal(head2.status, 200);
  assert.equal(head2.headers.get('content-length'), String(pdf.length));
  assert.match(head2.headers.get('content-disposition'), /filename="report-q4.pdf"/);
  const [eml] = await Promise.all([page.waitForEvent('download'), page.click('#download-raw')]);
  assert.match(eml.suggestedFilename(), /\.eml$/);
  assert.ok(readFileSync(await eml.path(), 'utf8').includes('Content-ID: <logo@app.test>'));
  step('PDF downloaded as report-q4.pdf, SHA-256 equal; HEAD 200 with length + filename; .eml download');

  // A message over Graph's 4 MB request limit takes the draft + upload session route;
  // its Requests tab lists the requests that made it.
  const big = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  const large = send(base, mime({ from: '"Ada Lovelace" <sender@contoso.com>', to: '"Grace Hopper" <grace@example.com>',
    subject: 'Raw measurements (5 MB)', text: 'The raw data set.', html: '<p>The raw data set.</p>',
    attachment: { name: 'measurements.bin', type: 'application/octet-stream', bytes: big } }));
  assert.ok(large.ok, JSON.stringify(large));
  await page.click('#nav-inbox');
  await page.locator('.row', { hasText: 'Raw measurements' }).click();
  await page.waitForSelector('#route');
  assert.match(await page.locator('#route').innerText(), /^draft \(MIME\) \+ 1 upload session → send$/);
  await page.click('.tab[data-tab=Requests]');
  await page.waitForSelector('#requests tr.req');
  const made = await page.locator('#requests tr.req .path').allInnerTexts();
  assert.ok(made.length >= 4, `route requests: ${made}`);
  assert.ok(made[0].endsWith('/messages') && made.at(-1).endsWith('/send'), `route requests: ${made}`);
  assert.ok(made.some((p) => p.includes('createUploadSession')) && made.some((p) => p.startsWith('/api/v2.0/')), `route requests: ${made}`);
  const bigAtt = (await (await fetch(`${base}/_emulator/messages/${decodeURIComponent(new URL(page.url()).pathname.slice(4))}`)).json())
    .attachments.find((a) => a.name === 'measurements.bin');
  assert.equal(bigAtt.sha256, sha256(big));
  assert.equal(bigAtt.source, 'upload_session');
  step(`5 MB message: route draft + upload session → send, ${made.length} requests listed, SHA-256 equal`);
  await page.click('#delete-message');
  await page.waitForSelector('#messages');

  // Back to the inbox: read now. Search, then delete.
  await page.click('#nav-inbox');
  await row.waitFor();
  assert.doesNotMatch(await row.getAttribute('class'), /unread/);
  await page.fill('#q', 'invoice');
  await page.waitForFunction(() => document.querySelectorAll('.row').length === 1);
  assert.ok((await page.locator('.row').innerText()).includes('Invoice INV-2026-0142'));
  await page.fill('#q', 'from:ada has:attachment');
  await page.waitForFunction(() => document.querySelectorAll('.row').length === 1 && document.querySelector('.row').innerText.includes('Quarterly'));
  await page.fill('#q', 'figures');  // body text
  await page.waitForFunction(() => document.querySelectorAll('.row').length === 1 && document.querySelector('.row').innerText.includes('Quarterly'));
  await page.fill('#q', '');
  await page.waitForFunction(() => document.querySelectorAll('.row').length === 4);
  step('opened message is read; search by word, from:/has: and body text');
  await page.locator('.row', { hasText: 'Reset your password' }).locator('[data-action=delete]').click();
  await page.waitForFunction(() => document.querySelectorAll('.row').length === 3);
  const left = await (await fetch(`${base}/_emulator/messages`)).json();
  assert.equal(left.length, 3);
  assert.ok(!left.some((m) => m.subject === 'Reset your password'));
  step('delete one: row gone, API agrees');

  // Refused sends show in Requests, live.
  await page.click('#nav-requests');
  await page.waitForSelector('#requests');
  const unknown = send(base, report, 'nobody@contoso.com');
  assert.equal(unknown.ok, false);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.graph_code, 'ErrorInvalidUser');
  await fetch(`${base}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ match: { path: 'sendMail' }, status: 403, graph_code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.', times: 1 }) });
  const denied = send(base, report);
  assert.equal(denied.status, 403);
  const r404 = page.locator('tr.req[data-status="404"]');
  const r403 = page.locator('tr.req[data-status="403"]');
  await r404.waitFor({ timeout: 10000 });
  await r403.waitFor({ timeout: 10000 });
  const t404 = await r404.innerText();
  for (const needle of ['POST', 'nobody@contoso.com', 'ErrorInvalidUser']) assert.ok(t404.includes(needle), `404 row lacks ${needle}: ${t404}`);
  const t403 = await r403.innerText();
  for (const needle of ['ErrorAccessDenied', 'Access is denied', 'fault rule', 'path~sendMail', MAILBOX]) assert.ok(t403.includes(needle), `403 row lacks ${needle}: ${t403}`);
  // The mailbox check's probe (400 ErrorInvalidRecipients by design) is labelled, not failed.
  const checked = send(base, null, MAILBOX);
  assert.ok(checked.ok, JSON.stringify(checked));
  assert.equal(checked.check.status, 'usable', JSON.stringify(checked));
  const probe = page.locator('tr.req.probe');
  await probe.waitFor({ timeout: 10000 });
  assert.equal(await probe.locator('.badge').innerText(), 'check probe');
  assert.equal(await probe.getAttribute('data-status'), '400');
  assert.ok(!(await probe.getAttribute('class')).includes('failed'), await probe.getAttribute('class'));
  await page.waitForFunction(() => document.getElementById('count-requests').textContent === '2');
  await page.click('#only-failed');
  await page.waitForFunction(() => [...document.querySelectorAll('tr.req')].every((r) => Number(r.dataset.status) >= 400 || r.dataset.status === '0'));
  assert.equal(await page.locator('tr.req').count(), 2);
  await r403.click();
  assert.ok((await page.locator('tr.detail').innerText()).includes(denied.request_id));
  await shot(page, 'emulator-requests.png');
  step('Requests: 404 ErrorInvalidUser (mailbox) and 403 from the fault rule appeared live, with message and rule; the check probe labelled, not failed');

  // A burst (a queue worker flushing): the open inbox ends up showing every message.
  await page.click('#nav-inbox');
  await page.waitForSelector('.row');
  const before = await page.locator('.row').count();
  const tok = await (await fetch(`${base}/contoso.onmicrosoft.com/oauth2/v2.0/token`, { method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: '00000000-0000-0000-0000-000000000001',
      client_secret: 'emulator-secret', scope: 'https://graph.microsoft.com/.default' }) })).json();
  const burst = 80;
  let next = 0;
  await Promise.all([0, 1, 2, 3].map(async () => {
    while (next < burst) {
      const n = next++;
      const r = await fetch(`${base}/v1.0/users/${MAILBOX}/sendMail`, { method: 'POST',
        headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: { subject: `Burst ${n}`, body: { contentType: 'Text', content: 'x' },
          toRecipients: [{ emailAddress: { address: 'load@example.com', name: 'Load Test' } }] } }) });
      assert.equal(r.status, 202);
    }
  }));
  await page.waitForFunction((want) => document.querySelectorAll('.row').length === want, before + burst, { timeout: 15000 });
  assert.match(await page.locator('#inbox-info').innerText(), new RegExp(`^${before + burst} messages`));
  step(`burst of ${burst} JSON sends: the open inbox shows all ${before + burst} live`);

  // Clear all from the inbox (two clicks).
  await page.click('#nav-inbox');
  await page.waitForSelector('.row');
  await page.click('#delete-all');
  await page.click('#delete-all');
  await page.waitForSelector('text=No messages yet');
  assert.equal((await (await fetch(`${base}/_emulator/messages`)).json()).length, 0);
  step('delete all');

  assert.deepEqual(problems, [], 'errors in the page');
  step('no script errors in the page');
}

try {
  await main();
  console.log(`browser test: ${checks} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  console.error(e);
  console.log(`browser test: FAILED after ${checks} checks (${((Date.now() - started) / 1000).toFixed(1)} s): ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  emulator?.stdin.end();
  emulator?.kill();
  rmSync(work, { recursive: true, force: true });
}
