// The demo's admin page (GET /audit): reads the audit trail through the admin API with the
// signed-in viewer's access token and renders it with DOM APIs only (no innerHTML: every value is
// text). The server decides who may read; a non-admin gets 403 and sees why.
import './demo.js';

const session = document.querySelector('veil-session');
const status = document.getElementById('audit-status');
const table = document.getElementById('audit-trail');
const tbody = table.querySelector('tbody');

function show(text, state) {
  status.textContent = text;
  status.dataset.state = state;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

function render(events) {
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

let loading = false;
async function load() {
  if (loading || session.status !== 'signed-in') return;
  loading = true;
  try {
    const token = await session.getAccessToken();
    const api = (session.getAttribute('api') || location.origin).replace(/\/$/, '');
    const video = new URLSearchParams(location.search).get('video');
    const events = [];
    for (let after = 0; ; ) {
      const query = new URLSearchParams({ limit: '1000', after: String(after) });
      if (video) query.set('video', video);
      const response = await fetch(`${api}/api/audit/events?${query}`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 403) {
        show('The audit trail is for organisation admins only.', 'forbidden');
        table.hidden = true;
        return;
      }
      if (!response.ok) throw new Error(`the audit API answered ${response.status}`);
      const page = (await response.json()).events;
      events.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1].seq;
    }
    render(events);
    table.hidden = false;
    show(`${events.length} event${events.length === 1 ? '' : 's'}${video ? ` for video ${video}` : ''}.`, 'ready');
  } catch (error) {
    show(`The audit trail could not be loaded: ${error.message}`, 'error');
  } finally {
    loading = false;
  }
}

session.addEventListener('veil-signed-in', load);
customElements.whenDefined('veil-session').then(load);
