// The demo's admin page (GET /audit): reads the audit trail through the admin API with the
// signed-in viewer's access token and renders it with DOM APIs only (no innerHTML: every value is
// text). The server decides who may read; a non-admin gets 403 and sees why.
//
// The view lives in the URL: the filters (video, user, type, from, to) are the form's GET
// parameters, `page` the page of the table (`size` rows, default and at most 1000). The whole
// filtered view is loaded (the API pages it, 1000 records a request); the summary and the
// downloads cover all of it, the table one page.
import './demo.js';

const FILTERS = ['video', 'user', 'type', 'from', 'to'];

const session = document.querySelector('veil-session');
const status = document.getElementById('audit-status');
const chain = document.getElementById('audit-chain');
const form = document.getElementById('audit-filters');
const table = document.getElementById('audit-trail');
const tbody = table.querySelector('tbody');
const summary = document.getElementById('audit-summary');
const downloads = document.getElementById('audit-downloads');
const paging = document.getElementById('audit-paging');
const params = new URLSearchParams(location.search);
const PAGE_SIZE = Math.min(Math.max(Number.parseInt(params.get('size') ?? '', 10) || 1000, 1), 1000);

function show(element, text, state) {
  element.textContent = text;
  element.dataset.state = state;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

/** `datetime-local` (the viewer's local time, as the form sends it) → the API's ISO 8601. */
function apiTime(value) {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

/** The API's query for the URL's filters. */
function filterQuery() {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) query.set(name, name === 'from' || name === 'to' ? apiTime(value) : value);
  }
  return query;
}

function describeFilters() {
  const parts = FILTERS.filter((name) => params.get(name)).map((name) => `${name} ${params.get(name)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

async function api(path, query) {
  const token = await session.getAccessToken();
  const base = (session.getAttribute('api') || location.origin).replace(/\/$/, '');
  return fetch(`${base}${path}${query ? `?${query}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
}

async function loadAll() {
  const events = [];
  for (let after = 0; ; ) {
    const query = filterQuery();
    query.set('limit', '1000');
    query.set('after', String(after));
    const response = await api('/api/audit/events', query);
    if (response.status === 403) return undefined;
    if (!response.ok) throw new Error(`the audit API answered ${response.status}`);
    const batch = (await response.json()).events;
    events.push(...batch);
    if (batch.length < 1000) return events;
    after = batch[batch.length - 1].seq;
  }
}

function renderRows(events) {
  const rows = events.map((event) => {
    const row = document.createElement('tr');
    row.dataset.eventId = event.id;
    row.dataset.type = event.type;
    row.dataset.actor = event.actor;
    row.dataset.video = event.video ?? '';
    cell(row, String(event.seq));
    cell(row, new Date(event.serverTime).toISOString());
    cell(row, event.type);
    cell(row, event.actor);
    cell(row, event.video ?? '');
    cell(row, `${event.playerSession.slice(0, 8)} · ${event.playerSeq}`);
    cell(row, event.position === null ? '' : event.position.toFixed(1));
    cell(row, Object.keys(event.data).length ? JSON.stringify(event.data) : '');
    return row;
  });
  tbody.replaceChildren(...rows);
}

function duration(seconds) {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** Who watched each video, in how many player sessions, for how long (heartbeats), first and last event. */
function renderSummary(events) {
  const rows = new Map();
  for (const event of events) {
    if (!event.video) continue;
    const key = `${event.video}\n${event.actor}`;
    const row = rows.get(key) ?? { video: event.video, actor: event.actor, sessions: new Set(), watched: 0, first: event.serverTime, last: event.serverTime };
    row.sessions.add(event.playerSession);
    if (event.type === 'heartbeat' && typeof event.data.watchedSeconds === 'number') row.watched += event.data.watchedSeconds;
    row.first = Math.min(row.first, event.serverTime);
    row.last = Math.max(row.last, event.serverTime);
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort((a, b) => a.video.localeCompare(b.video) || a.actor.localeCompare(b.actor));
  summary.querySelector('tbody').replaceChildren(
    ...sorted.map((entry) => {
      const row = document.createElement('tr');
      row.dataset.video = entry.video;
      row.dataset.actor = entry.actor;
      cell(row, entry.video);
      cell(row, entry.actor);
      cell(row, String(entry.sessions.size));
      cell(row, duration(entry.watched));
      cell(row, new Date(entry.first).toISOString());
      cell(row, new Date(entry.last).toISOString());
      return row;
    }),
  );
  summary.hidden = sorted.length === 0;
}

function pageLink(link, page, pages) {
  if (page < 1 || page > pages) {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
    return;
  }
  const target = new URLSearchParams(params);
  if (page === 1) target.delete('page');
  else target.set('page', String(page));
  link.href = `?${target}`;
  link.removeAttribute('aria-disabled');
}

function renderPage(events) {
  const pages = Math.max(1, Math.ceil(events.length / PAGE_SIZE));
  const requested = Number.parseInt(params.get('page') ?? '1', 10);
  const page = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), pages) : 1;
  renderRows(events.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE));
  paging.hidden = pages === 1;
  document.getElementById('audit-page').textContent = `page ${page} of ${pages}`;
  pageLink(document.getElementById('audit-previous'), page - 1, pages);
  pageLink(document.getElementById('audit-next'), page + 1, pages);
}

function save(blob, name) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

let loaded = [];
async function downloadCsv() {
  // The server's CSV (cells defused against spreadsheet formulas), for the same filtered view.
  const query = filterQuery();
  query.set('format', 'csv');
  query.set('limit', '10000');
  const response = await api('/api/audit/events', query);
  if (!response.ok) return show(status, `The CSV could not be downloaded: the audit API answered ${response.status}`, 'error');
  save(await response.blob(), 'veil-audit.csv');
}

function downloadJson() {
  save(new Blob([JSON.stringify({ filters: Object.fromEntries(filterQuery()), events: loaded }, null, 2)], { type: 'application/json' }), 'veil-audit.json');
}

async function verifyChain() {
  const response = await api('/api/audit/verify');
  if (!response.ok) return show(chain, `The hash chain could not be verified: the audit API answered ${response.status}`, 'error');
  const report = await response.json();
  const head = document.createElement('code');
  head.id = 'audit-chain-head';
  head.textContent = report.head;
  if (report.ok) show(chain, `Hash chain intact: ${report.count} records verified, head `, 'intact');
  else show(chain, `Hash chain BROKEN at record #${report.broken.seq}: ${report.broken.reason}. ${report.count} records before it verify, up to head `, 'broken');
  chain.append(head);
}

function fillForm() {
  for (const name of FILTERS) {
    const field = form.elements.namedItem(name);
    if (field) field.value = params.get(name) ?? '';
  }
}

let loading = false;
async function load() {
  if (loading || session.status !== 'signed-in') return;
  loading = true;
  try {
    const events = await loadAll();
    if (!events) {
      show(status, 'The audit trail is for organisation admins only.', 'forbidden');
      chain.hidden = true;
      table.hidden = true;
      return;
    }
    loaded = events;
    renderPage(events);
    renderSummary(events);
    table.hidden = false;
    document.getElementById('audit-events-heading').hidden = false;
    downloads.hidden = false;
    show(status, `${events.length} event${events.length === 1 ? '' : 's'}${describeFilters()}.`, 'ready');
    await verifyChain();
  } catch (error) {
    show(status, `The audit trail could not be loaded: ${error.message}`, 'error');
  } finally {
    loading = false;
  }
}

fillForm();
document.getElementById('audit-download-csv').addEventListener('click', () => void downloadCsv());
document.getElementById('audit-download-json').addEventListener('click', downloadJson);
session.addEventListener('veil-signed-in', load);
customElements.whenDefined('veil-session').then(load);
