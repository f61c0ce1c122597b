// The o365-emulator inbox: plain JavaScript, no framework, no network but this emulator.
// Views: inbox (/), one message (/ui/{id}), requests (/ui/requests). Text the sender
// controls is only ever set with textContent/attributes, never parsed as markup; the
// mail's HTML body lives in a sandboxed frame served under its own CSP.
'use strict';

const main = document.getElementById('main');
const q = document.getElementById('q');
const live = document.getElementById('live');

// ---- helpers ------------------------------------------------------------------------
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) {
    if (kid == null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

async function api(path, opts = {}) {
  const r = await fetch(path, opts);
  if (!r.ok) throw new Error(`${opts.method || 'GET'} ${path}: HTTP ${r.status}`);
  return r.status === 204 ? null : r.json();
}

const enc = encodeURIComponent;

// Icons as inline SVG: emoji need a font the machine may lack, and nothing is fetched.
const ICONS = {
  clip: 'M10.5 5v5.5a2.5 2.5 0 0 1-5 0V4a1.5 1.5 0 0 1 3 0v6a.5.5 0 0 1-1 0V5',
  image: 'M2.5 3.5h11v9h-11zM2.5 11l3.5-3.5 3 3 2-2 2.5 2.5M10 6.2a.01.01 0 1 0 0 .01',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5',
};
function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

function exact(iso) {
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

// A wall-clock time with milliseconds, for the request log (retries are ms apart).
function clock(ms) {
  const d = new Date(ms);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

// A relative time that keeps itself current; the exact time is in the tooltip.
function when(iso, cls) {
  return h('span', { class: cls, 'data-time': iso, title: `${exact(iso)} (${iso})` }, ago(iso));
}
setInterval(() => document.querySelectorAll('[data-time]').forEach((el) => { el.textContent = ago(el.dataset.time); }), 15000);

function nameOf(rec, address) {
  return (rec.display_names || {})[String(address).toLowerCase()] || null;
}

// "Name <address>" as two spans, or the bare address.
function addr(name, address) {
  return h('span', { class: 'addr', title: address },
    name ? [h('span', { class: 'name' }, name), h('span', { class: 'email' }, ` <${address}>`)] : h('span', { class: 'name' }, address));
}

function statusBadge(r) {
  const s = r.status;
  // A mailbox check's probe answered as designed (400 ErrorInvalidRecipients: usable).
  if (r.check_probe && !r.failed) return h('span', { class: 'badge check', title: `${s} ${r.error}: ${PROBE_TEXT}` }, 'check probe');
  const label = s === 0 ? (r.abandoned ? 'abandoned' : 'dropped') : String(s);
  return h('span', { class: `badge s${String(s)[0]}` }, label);
}

function faultText(rule) {
  if (!rule) return null;
  const m = rule.match || {};
  const on = [m.method, m.path && `path~${m.path}`, m.mailbox && `mailbox=${m.mailbox}`].filter(Boolean).join(' ') || 'any request';
  const what = rule.drop ? `drop ${rule.drop}` : [rule.status, rule.graph_code].filter(Boolean).join(' ') || `delay ${rule.delay_ms} ms`;
  return `fault rule: ${on} → ${what}${rule.deliver ? ' (delivered)' : ''}${rule.times ? `, ${rule.hits}/${rule.times}` : ''}`;
}

// ---- routing --------------------------------------------------------------------------
const view = { name: 'inbox', id: null };
let counters = { messages: -1, requests: -1 };

function parseLocation() {
  const p = location.pathname;
  if (p === '/ui/requests') return { name: 'requests', id: null };
  if (p.startsWith('/ui/')) return { name: 'message', id: decodeURIComponent(p.slice(4)) };
  return { name: 'inbox', id: null };
}

function go(url) {
  history.pushState(null, '', url);
  show();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', show);

document.getElementById('search').addEventListener('submit', (e) => e.preventDefault());
let searchTimer;
q.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    if (view.name === 'message') go('/');
    else refresh();
  }, 150);
});

async function show() {
  Object.assign(view, parseLocation());
  document.getElementById('nav-inbox').classList.toggle('active', view.name !== 'requests');
  document.getElementById('nav-requests').classList.toggle('active', view.name === 'requests');
  q.placeholder = view.name === 'requests'
    ? 'Filter requests: path, mailbox, status, error code, request id…'
    : 'Search subject, from, to, body…  from: to: subject: is:unread has:attachment';
  await refresh(true);
}

// One render at a time: an older answer must never paint over a newer one. Calls that
// come in meanwhile collapse into one more render afterwards.
let rendering = null;
let again = null;
async function refresh(fresh) {
  if (rendering) {
    again = { fresh: Boolean(fresh || (again && again.fresh)) };
    return rendering;
  }
  rendering = render(fresh);
  try {
    await rendering;
  } finally {
    rendering = null;
  }
  if (again) {
    const next = again;
    again = null;
    await refresh(next.fresh);
  }
}

async function render(fresh) {
  try {
    if (view.name === 'inbox') await renderInbox();
    else if (view.name === 'requests') await renderRequests();
    else if (fresh) await renderMessage(view.id);
  } catch (err) {
    main.replaceChildren(h('div', { class: 'empty' }, h('h2', {}, 'The emulator did not answer'), String(err.message || err)));
  }
}

// ---- live updates ---------------------------------------------------------------------
function connect() {
  const es = new EventSource('/_emulator/events');
  es.addEventListener('open', () => { live.classList.remove('off'); live.title = 'Live updates: connected'; });
  es.addEventListener('error', () => { live.classList.add('off'); live.title = 'Live updates: reconnecting…'; });
  es.addEventListener('change', (e) => {
    const c = JSON.parse(e.data);
    const first = counters.messages < 0;
    const inbox = c.messages !== counters.messages;
    const reqs = c.requests !== counters.requests;
    counters = c;
    if (first) return;
    if (inbox && view.name === 'inbox') refresh();
    else if (reqs && view.name === 'requests') refresh();
    else if (inbox && view.name === 'message') checkStillThere();
    if (inbox || reqs) updateCounts();
  });
}

async function updateCounts(data) {
  const d = data || await api('/_emulator/inbox?limit=0');
  document.getElementById('count-inbox').textContent = d.unread ? String(d.unread) : '';
  const f = document.getElementById('count-requests');
  f.textContent = d.failed_requests ? String(d.failed_requests) : '';
  f.classList.toggle('bad', d.failed_requests > 0);
  f.title = d.failed_requests ? `${d.failed_requests} failed requests` : '';
}

async function checkStillThere() {
  const r = await fetch(`/_emulator/messages/${enc(view.id)}`);
  if (r.status === 404 && !document.querySelector('.banner')) {
    main.prepend(h('div', { class: 'banner' }, 'This message was deleted. ', h('a', { href: '/', 'data-link': true }, 'Back to the inbox')));
  }
}

// ---- inbox ----------------------------------------------------------------------------
const seen = new Set();
let firstInbox = true;

function armed(btn, label, action) {
  // Two clicks instead of a confirm() dialog: the first arms the button for 3 s.
  btn.addEventListener('click', async () => {
    if (!btn.classList.contains('armed')) {
      const old = btn.textContent;
      btn.classList.add('armed');
      btn.textContent = label;
      setTimeout(() => { btn.classList.remove('armed'); btn.textContent = old; }, 3000);
      return;
    }
    await action();
  });
  return btn;
}

async function renderInbox() {
  const query = q.value.trim();
  const d = await api(`/_emulator/inbox?limit=500&q=${enc(query)}`);
  updateCounts(d);
  // Rows never shown before flash once (live arrivals); the first view flashes nothing.
  const known = new Set(seen);
  d.messages.forEach((m) => seen.add(m.id));
  const info = query
    ? `${d.matched} of ${d.total} messages match`
    : `${d.total} message${d.total === 1 ? '' : 's'}${d.unread ? `, ${d.unread} unread` : ''}`;
  const toolbar = h('div', { class: 'toolbar' },
    h('h1', {}, 'Inbox'), h('span', { class: 'info', id: 'inbox-info' }, info), h('span', { class: 'spacer' }),
    h('button', { class: 'btn', id: 'mark-all-read', disabled: !d.unread, onclick: async () => { await api('/_emulator/messages/read', { method: 'POST' }); refresh(); } }, 'Mark all read'),
    armed(h('button', { class: 'btn danger', id: 'delete-all', disabled: !d.total }, 'Delete all'), `Delete all ${d.total}?`,
      async () => { await api('/_emulator/messages', { method: 'DELETE' }); refresh(); }));
  let body;
  if (!d.total) {
    body = h('div', { class: 'empty' }, h('h2', {}, 'No messages yet'),
      'Point the sender at this emulator: ', h('code', {}, `login_endpoint`), ' and ', h('code', {}, 'graph_endpoint'), ' = ',
      h('code', {}, location.origin), '. Messages appear here as they arrive.');
  } else if (!d.messages.length) {
    body = h('div', { class: 'empty' }, `No message matches “${query}”.`);
  } else {
    body = h('div', { class: 'list', id: 'messages' }, d.messages.map((m) => row(m, !firstInbox && !known.has(m.id))));
    if (d.matched > d.messages.length) body.append(h('div', { class: 'more' }, `Showing the newest ${d.messages.length} of ${d.matched}; search to narrow down.`));
  }
  main.replaceChildren(toolbar, body);
  firstInbox = false;
}

function row(m, isNew) {
  const to = [...m.to, ...m.cc];
  const toText = to.map((p) => p.name || p.address).join(', ') + (m.bcc.length ? ` +${m.bcc.length} bcc` : '');
  const del = h('button', { class: 'icon-btn', title: 'Delete', 'aria-label': 'Delete', 'data-action': 'delete' }, icon('trash'));
  del.addEventListener('click', async (e) => {
    e.preventDefault();
    e.stopPropagation();
    await api(`/_emulator/messages/${enc(m.id)}`, { method: 'DELETE' });
    refresh();
  });
  return h('a', { class: `row${m.read ? '' : ' unread'}${isNew ? ' new' : ''}`, href: `/ui/${enc(m.id)}`, 'data-link': true, 'data-id': m.id },
    h('span', { class: 'dot', title: m.read ? 'read' : 'unread' }),
    h('div', { class: 'cell from' },
      h('div', { class: 'one name', title: m.from.address }, m.from.name || m.from.address),
      h('div', { class: 'one sub' }, m.from.name ? m.from.address : `mailbox ${m.mailbox}`)),
    h('div', { class: 'cell' },
      h('div', { class: 'one' }, h('span', { class: 'subject' }, m.subject || '(no subject)'), h('span', { class: 'snippet' }, m.snippet)),
      h('div', { class: 'one sub', title: to.map((p) => p.address).join(', ') }, `To: ${toText || '—'}`)),
    h('div', { class: 'meta' },
      m.attachments ? h('span', { class: 'tag att', title: `${m.attachments} attachment${m.attachments > 1 ? 's' : ''}` }, icon('clip'), String(m.attachments)) : null,
      m.inline ? h('span', { class: 'tag inline', title: `${m.inline} inline part${m.inline > 1 ? 's' : ''} (images shown in the body)` }, icon('image'), String(m.inline)) : null,
      h('div', {}, size(m.size))),
    when(m.received_at, 'time'),
    del);
}

// ---- one message ------------------------------------------------------------------------
function routeLabel(m) {
  const uploads = m.attachments.filter((a) => a.source === 'upload_session').length;
  const kind = m.format === 'mime' ? 'MIME' : 'JSON';
  if (m.via === 'draft') return `draft (${kind})${uploads ? ` + ${uploads} upload session${uploads > 1 ? 's' : ''}` : ''} → send`;
  return `${kind} → sendMail`;
}

function people(m, list) {
  return list.length ? list.map((a) => addr(nameOf(m, a), a)) : h('span', { class: 'sub' }, '—');
}

async function renderMessage(id) {
  let m;
  try {
    m = await api(`/_emulator/messages/${enc(id)}`);
  } catch {
    main.replaceChildren(h('div', { class: 'empty' }, h('h2', {}, 'No such message'), 'It may have been deleted. ', h('a', { href: '/', 'data-link': true }, 'Back to the inbox')));
    return;
  }
  document.title = `${m.subject || '(no subject)'} · o365-emulator`;
  if (!m.read && m.via !== undefined) api(`/_emulator/messages/${enc(id)}/read`, { method: 'POST' }).catch(() => {});
  const base = `/_emulator/messages/${enc(id)}`;
  const raw = m.format === 'mime'
    ? h('a', { class: 'btn', href: `${base}/mime?download`, download: '', id: 'download-raw' }, 'Download .eml')
    : h('a', { class: 'btn', href: `${base}/json?download`, download: '', id: 'download-raw' }, 'Download JSON');
  const toolbar = h('div', { class: 'toolbar' },
    h('a', { class: 'btn', href: '/', 'data-link': true }, '← Inbox'), h('span', { class: 'spacer' }), raw,
    h('button', { class: 'btn', onclick: async () => { await api(`${base}/read`, { method: 'DELETE' }); go('/'); } }, 'Mark unread'),
    h('button', { class: 'btn danger', id: 'delete-message', onclick: async () => { await api(base, { method: 'DELETE' }); go('/'); } }, 'Delete'));

  const from = m.from || m.sender || m.mailbox;
  const f = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  const head = h('div', { class: 'card' },
    h('h1', { class: 'msg-subject', id: 'subject' }, m.subject || '(no subject)'),
    h('dl', { class: 'fields' },
      f('From', addr(nameOf(m, from), from)),
      m.sender && m.sender !== m.from ? f('Sender', addr(nameOf(m, m.sender), m.sender)) : null,
      f('To', people(m, m.to)),
      m.cc.length ? f('Cc', people(m, m.cc)) : null,
      m.bcc.length ? f('Bcc', people(m, m.bcc)) : null,
      m.reply_to.length ? f('Reply-To', people(m, m.reply_to)) : null,
      f('Received', [h('span', {}, exact(m.received_at)), ' · ', when(m.received_at, 'sub')]),
      f('Size', size(m.size))));
  const graph = h('div', { class: 'card' }, h('h2', {}, 'Graph'),
    h('dl', { class: 'fields' },
      f('Mailbox', m.mailbox),
      f('Route', h('span', { class: 'badge route', id: 'route' }, routeLabel(m))),
      f('request-id', h('span', { class: 'mono', id: 'request-id' }, m.request_id)),
      f('client-request-id', h('span', { class: 'mono', id: 'client-request-id' }, m.client_request_id || '—')),
      f('App / tenant', h('span', { class: 'mono' }, `${m.app} / ${m.tenant}`)),
      f('Sent Items', m.save_to_sent_items ? 'saved' : 'not saved (saveToSentItems: false)'),
      m.importance ? f('Importance', m.importance) : null));

  const cards = [toolbar, h('div', { class: 'cols' }, head, graph)];
  if (m.attachments.length) cards.push(h('div', { class: 'card' }, h('h2', {}, `Attachments (${m.attachments.length})`),
    h('div', { class: 'atts', id: 'attachments' }, m.attachments.map((a, i) => attachmentCard(m, a, i)))));

  const panes = {};
  if (m.body_html != null) panes.HTML = () => h('iframe', { class: 'body', id: 'html-body', title: 'HTML body',
    sandbox: 'allow-popups allow-popups-to-escape-sandbox', src: `${base}/html`, referrerpolicy: 'no-referrer' });
  if (m.body_text != null) panes.Text = () => h('pre', { class: 'text', id: 'text-body' }, m.body_text);
  if (m.body_html != null) panes['HTML source'] = () => h('pre', { class: 'text' }, m.body_html);
  panes.Headers = () => h('table', { class: 'kv', id: 'headers' }, m.headers.map((x) => h('tr', {}, h('td', {}, x.name), h('td', {}, x.value))));
  panes.Raw = () => m.format === 'mime'
    ? (m.mime.length > 2e6 ? h('p', {}, 'Too large to show here: ', h('a', { href: `${base}/mime?download` }, 'download it')) : h('pre', { class: 'text' }, m.mime))
    : h('pre', { class: 'text' }, JSON.stringify(m.json, null, 2));
  panes.Requests = () => messageRequests(m);
  const pane = h('div', {});
  const tabs = h('div', { class: 'tabs' });
  const open = (name) => {
    tabs.querySelectorAll('.tab').forEach((t) => t.classList.toggle('on', t.dataset.tab === name));
    pane.replaceChildren(panes[name]());
  };
  for (const name of Object.keys(panes)) tabs.append(h('button', { class: 'tab', 'data-tab': name, onclick: () => open(name) }, name));
  cards.push(h('div', { class: 'card' }, tabs, pane));
  main.replaceChildren(...cards);
  open(Object.keys(panes)[0]);
}

function attachmentCard(m, a, i) {
  const url = `/_emulator/messages/${enc(m.id)}/attachments/${i}`;
  const ext = (a.name || '').includes('.') ? a.name.split('.').pop().slice(0, 4) : (a.content_type || 'file').split('/').pop().slice(0, 4);
  const thumb = (a.content_type || '').startsWith('image/') ? h('img', { src: url, alt: '' }) : ext;
  return h('div', { class: 'att-card' },
    h('div', { class: 'ext' }, thumb),
    h('div', { class: 'info' },
      h('div', { class: 'one' }, h('a', { href: url, download: a.name || '', class: 'att-link', 'data-index': i }, a.name || '(unnamed)')),
      h('div', { class: 'one sub' }, `${a.content_type || 'application/octet-stream'} · ${size(a.size)}`,
        a.is_inline ? h('span', { class: 'tag', title: `cid:${a.content_id || ''}` }, 'inline') : null,
        a.source === 'upload_session' ? h('span', { class: 'tag' }, 'upload session') : null),
      h('div', { class: 'one sub mono', title: 'SHA-256' }, a.sha256)));
}

function messageRequests(m) {
  const box = h('div', {}, h('p', { class: 'sub' }, 'Loading…'));
  api(`/_emulator/messages/${enc(m.id)}/requests`).then((reqs) => {
    box.replaceChildren(
      h('p', {}, 'Route: ', h('span', { class: 'badge route' }, routeLabel(m)), ` — ${reqs.length} request${reqs.length === 1 ? '' : 's'} (retried attempts with the same client-request-id included)`),
      requestTable(reqs, false));
  }).catch((e) => box.replaceChildren(String(e)));
  return box;
}

const PROBE_TEXT = "o365:check's mailbox probe (a sendMail of an empty message, nothing is sent); "
  + '400 ErrorInvalidRecipients means the mailbox is usable';

// ---- requests ------------------------------------------------------------------------------
let onlyFailed = false;

async function renderRequests() {
  const all = await api('/_emulator/requests?limit=2000');
  const needle = q.value.trim().toLowerCase();
  const failed = (r) => r.failed;
  const list = all.slice().reverse().filter((r) => (!onlyFailed || failed(r)) && (!needle || [
    r.method, r.path, r.mailbox, String(r.status), r.error, r.error_message, r.request_id, r.client_request_id,
  ].some((v) => v && String(v).toLowerCase().includes(needle))));
  const nFailed = all.filter(failed).length;
  const toolbar = h('div', { class: 'toolbar' },
    h('h1', {}, 'Requests'), h('span', { class: 'info' }, `${all.length} Entra and Graph requests, ${nFailed} failed`),
    h('button', { class: `chip${onlyFailed ? '' : ' on'}`, onclick: () => { onlyFailed = false; refresh(); } }, 'All'),
    h('button', { class: `chip${onlyFailed ? ' on' : ''}`, id: 'only-failed', onclick: () => { onlyFailed = true; refresh(); } }, 'Failed only'),
    h('span', { class: 'spacer' }),
    armed(h('button', { class: 'btn danger', disabled: !all.length }, 'Clear log'), 'Clear the log?',
      async () => { await api('/_emulator/requests', { method: 'DELETE' }); refresh(); }));
  const body = list.length ? h('div', { class: 'reqs-wrap' }, requestTable(list, true))
    : h('div', { class: 'empty' }, all.length ? 'No request matches.' : 'No requests yet. Entra token requests and Graph calls appear here, refused ones included.');
  main.replaceChildren(toolbar, body);
}

function requestTable(list, withMailbox) {
  const cols = [['Time', 112], ['Method', 72], ['Path', null], withMailbox ? ['Mailbox', 200] : null, ['Status', 120], ['Error', 206], ['Duration', 96]].filter(Boolean);
  const table = h('table', { class: 'reqs', id: 'requests' },
    h('colgroup', {}, cols.map(([, w]) => { const c = h('col', {}); if (w) c.style.width = `${w}px`; return c; })),
    h('thead', {}, h('tr', {}, cols.map(([n]) => h('th', { class: n === 'Duration' ? 'num' : null }, n)))));
  const tbody = h('tbody', {});
  for (const r of list) {
    const tr = h('tr', { class: `req${r.failed ? ' failed' : ''}${r.check_probe ? ' probe' : ''}`, 'data-status': r.status, 'data-request-id': r.request_id },
      h('td', { class: 'sub', title: `${ago(r.time)} · ${r.time}` }, clock(r.time_ms)),
      h('td', { class: 'method' }, r.method),
      h('td', { title: r.path + (r.query ? `?${r.query}` : '') },
        h('div', { class: 'path one' }, r.path),
        r.error_message ? h('div', { class: 'why' }, r.error_message) : null,
        r.fault_rule ? h('div', { class: 'fault' }, faultText(r.fault_rule)) : null),
      withMailbox ? h('td', { title: r.mailbox || '' }, r.mailbox || h('span', { class: 'sub' }, '—')) : null,
      h('td', {}, statusBadge(r)),
      h('td', { class: 'mono error', title: r.error || '' }, r.error || ''),
      h('td', { class: 'num' }, `${r.duration_ms} ms`));
    tr.addEventListener('click', () => {
      const next = tr.nextElementSibling;
      if (next && next.classList.contains('detail')) { next.remove(); return; }
      tr.after(h('tr', { class: 'detail' }, h('td', { colspan: cols.length }, detail(r))));
    });
    tbody.append(tr);
  }
  table.append(tbody);
  return table;
}

function detail(r) {
  const rows = [
    ['request-id', r.request_id], ['client-request-id', r.client_request_id], ['time', `${exact(r.time)} (${r.time})`],
    ['query', r.query], ['content-type', r.content_type], ['body', `${r.body_bytes} bytes`],
    ['authorization', r.authorization ? 'Bearer token sent' : 'none'], ['http version', r.http_version], ['scope', r.scope],
    ['error', r.error], ['message', r.error_message], ['fault rule', r.fault_rule && JSON.stringify(r.fault_rule, (k, v) => (v === null || v === false ? undefined : v))],
    ['abandoned', r.abandoned ? 'yes: the client went away before the answer' : null],
    ['check probe', r.check_probe ? PROBE_TEXT : null],
  ].filter(([, v]) => v != null && v !== '');
  return h('table', { class: 'kv' }, rows.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))));
}

show();
connect();
