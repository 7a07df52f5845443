/**
 * The demo's own pages: one layout, one header (who is signed in, the pages there are, sign in
 * and out) and one stylesheet (`/assets/demo.css`); `/assets/demo.js` keeps the header current.
 * Every interpolated value is escaped; no inline script or style.
 */
import { html, type SafeHtml } from './idp/html.js';
import type { DemoConfig } from './config.js';
import { DEFAULT_AUDIT_ADMIN_GROUP } from '../src/protocol/defaults.js';
import { AUDIT_EVENT_TYPES } from '../src/protocol/audit-events.js';
import { DEV_USERS } from './idp/index.js';
import { modulePreloads } from './static.js';

export interface DemoVideo {
  id: string;
  title: string;
}

type Page = 'home' | 'watch' | 'audit' | 'share' | 'record' | 'videos';

/**
 * The header every page shares. The viewer, the Audit link (admins) and the sign-in / sign-out
 * buttons are filled in by demo.js from the page's `<veil-session>`.
 */
function appHeader(current: Page): SafeHtml {
  const link = (page: Page, href: string, label: string, extra = html``) =>
    html`<a href="${href}"${page === current ? html` aria-current="page"` : html``}${extra}>${label}</a>`;
  return html`<header class="app-header">
<a class="brand" href="/">Veil demo</a>
<nav aria-label="Demo pages">${link('home', '/', 'Home')}${link('videos', '/videos', 'My videos')}${link('record', '/record', 'Record')}${link('audit', '/audit', 'Audit', html` data-admin-only hidden`)}</nav>
<span class="viewer" id="viewer" role="status" aria-live="polite"></span>
<button type="button" id="sign-in" hidden>Sign in</button>
<button type="button" id="sign-out">Sign out</button>
</header>`;
}

/**
 * `elements`: the library entries the page loads (each registers one element). Default: every
 * element (`define.js`); a page that names its own loads only what it uses (the watch page: a
 * denied viewer downloads no recorder or share dialog).
 */
function layout(title: string, body: SafeHtml, script = '/assets/demo.js', elements: readonly string[] = ['define'], preloads: readonly string[] = []): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Veil demo</title>
<link rel="stylesheet" href="/assets/demo.css">
<script type="module" src="/assets/trusted-types.js"></script>
${preloads.map((chunk) => html`<link rel="modulepreload" href="/veil/${chunk}">
`)}${elements.map((entry) => html`<script type="module" src="/veil/${entry}.js"></script>
`)}<script type="module" src="${script}"></script>
</head>
<body>
${body}
</body>
</html>`.toString();
}

const WATCH_ENTRIES = ['session', 'player'];

/**
 * `protocolHint`: the sample's protocol (only the demo's own samples, whose ids and protocols are
 * public; a recording's page gets none, so the page says nothing about which recordings exist).
 */
export function watchPage(config: DemoConfig, videoId: string, protocolHint?: string): string {
  const hint = protocolHint ? html` protocol-hint="${protocolHint}"` : html``;
  const player = html`<veil-player video="${videoId}" hls-worker-url="/veil/hls.worker.js"${hint}></veil-player>`;
  return layout(
    videoId,
    html`${appHeader('watch')}
<main><veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in>${player}</veil-session></main>`,
    undefined,
    WATCH_ENTRIES,
    // The entries' chunks and the stored sign-in, fetched with the entries, not a module level
    // later each; no engine chunk (that waits for the perimeter check and the server's answer).
    modulePreloads(config.distDir, WATCH_ENTRIES),
  );
}

/**
 * The share page (demo contract): `<veil-session auto-sign-in>` around
 * `<veil-share-dialog video open>`. Whether anything can be shared is the server's answer.
 */
export function sharePage(config: DemoConfig, videoId: string): string {
  return layout(
    `Share ${videoId}`,
    html`${appHeader('share')}
<main><veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in><veil-share-dialog video="${videoId}" open></veil-share-dialog></veil-session></main>`,
  );
}

export function indexPage(config: DemoConfig, videos: readonly DemoVideo[], { entra = false }: { entra?: boolean } = {}): string {
  // In the opt-in Entra mode each video also links its watch page behind Entra sign-in.
  const entraLink = (video: DemoVideo) => (entra ? html` <a href="/entra/watch?v=${encodeURIComponent(video.id)}" data-entra-watch>Watch with Entra sign-in</a>` : '');
  const cards = videos.map(
    (video) => html`<li class="card"><a href="/watch?v=${encodeURIComponent(video.id)}"><strong>${video.title}</strong></a> <code>${video.id}</code> <a href="/share?v=${encodeURIComponent(video.id)}">Share</a>${entraLink(video)}</li>`,
  );
  const users = DEV_USERS.map(
    (user) => html`<tr><td><code>${user.email}</code></td><td>${user.org}</td><td>${user.groups.join(', ') || '—'}</td><td>${userNote(config, user)}</td></tr>`,
  );
  return layout(
    'Videos',
    html`${appHeader('home')}
<main>
<veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}"></veil-session>
<h1>Secure video for your organisation</h1>
<p class="lead">Protected sample videos: only members of <strong>${config.org}</strong> can watch, each under a watermark with their identity.</p>
<ul class="cards">${cards}</ul>
<h2>Dev users</h2>
<p>Every dev user's password is <code>veil-demo</code>. Sign in as one of them to see what the perimeter allows.</p>
<table class="users">
<thead><tr><th>user</th><th>org</th><th>groups</th><th>what happens</th></tr></thead>
<tbody>${users}</tbody>
</table>
</main>`,
  );
}

function userNote(config: DemoConfig, user: (typeof DEV_USERS)[number]): string {
  if (user.org !== config.org) return 'outside the perimeter: told the videos belong to another organisation, downloads nothing';
  return user.groups.includes(DEFAULT_AUDIT_ADMIN_GROUP) ? 'watches the samples; reads the audit trail (admin)' : 'watches the samples';
}

/**
 * The admin page (demo contract): `<veil-session auto-sign-in>` signs the viewer in; the page's
 * script fetches `GET /api/audit/events` with the session's access token and renders one
 * `<tr data-event-id data-type data-actor data-video>` per record of the filtered view (a page of
 * them at a time). Filters (video, user, type, time range) and the page are query parameters, so a
 * view can be bookmarked or sent; the chain status comes from `GET /api/audit/verify`, the
 * downloads and the per-video summary from the same filtered view. The server decides who may read.
 */
export function auditPage(config: DemoConfig): string {
  const types = Object.keys(AUDIT_EVENT_TYPES).map((type) => html`<option value="${type}">${type}</option>`);
  return layout(
    'Audit trail',
    html`${appHeader('audit')}
<main class="wide">
<h1>Audit trail</h1>
<veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in></veil-session>
<form id="audit-filters" class="filters" method="get" action="/audit">
<label>Video <input name="video" autocomplete="off" spellcheck="false"></label>
<label>User <input name="user" autocomplete="off" spellcheck="false" placeholder="alice@acme.test"></label>
<label>Event <select name="type"><option value="">any</option>${types}</select></label>
<label>From <input name="from" type="datetime-local" step="1"></label>
<label>To <input name="to" type="datetime-local" step="1"></label>
<button type="submit">Apply</button>
<a href="/audit">Clear</a>
</form>
<p id="audit-chain" class="chain" data-state="checking" role="status">Verifying the hash chain…</p>
<p id="audit-status" role="status">Loading the audit trail…</p>
<p class="downloads" id="audit-downloads" hidden>
<button type="button" id="audit-download-csv">Download CSV</button>
<button type="button" id="audit-download-json">Download JSON</button>
</p>
<section id="audit-summary" hidden>
<h2>Per video</h2>
<table id="audit-summary-table">
<thead><tr><th>video</th><th>viewer</th><th>sessions</th><th>watched</th><th>first event</th><th>last event</th></tr></thead>
<tbody></tbody>
</table>
</section>
<h2 id="audit-events-heading" hidden>Events</h2>
<table id="audit-trail" hidden>
<thead><tr><th>#</th><th>server time</th><th>type</th><th>actor</th><th>video</th><th>session · seq</th><th>position</th><th>data</th></tr></thead>
<tbody></tbody>
</table>
<nav id="audit-paging" class="paging" aria-label="Pages of events" hidden>
<a id="audit-previous" rel="prev">Previous page</a>
<span id="audit-page"></span>
<a id="audit-next" rel="next">Next page</a>
</nav>
</main>`,
    '/assets/audit.js',
  );
}

const SOURCES = ['camera', 'screen', 'camera+screen'] as const;

/**
 * The recorder page (demo contract): `source` (camera, screen, camera+screen; default camera) and
 * `countdown` (seconds, default 3) become the recorder's attributes of the same names.
 */
export function recordPage(config: DemoConfig, query: URLSearchParams): string {
  const requested = query.get('source') ?? 'camera';
  const source = (SOURCES as readonly string[]).includes(requested) ? requested : 'camera';
  const countdown = Number.parseInt(query.get('countdown') ?? '3', 10);
  const seconds = Number.isInteger(countdown) && countdown >= 0 && countdown <= 60 ? countdown : 3;
  return layout(
    'Record',
    html`${appHeader('record')}
<main>
<h1>Record a video</h1>
<veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in><veil-recorder source="${source}" countdown="${String(seconds)}"></veil-recorder></veil-session>
<p id="recording-link" hidden><a href="">Watch the recording</a></p>
</main>`,
    '/assets/record.js',
  );
}

/**
 * The viewer's videos (demo contract): the page's script fetches `GET /api/videos` with the
 * session's access token and renders one `<li data-video-id data-status data-role>` per video.
 */
export function videosPage(config: DemoConfig): string {
  return layout(
    'My videos',
    html`${appHeader('videos')}
<main>
<h1>My videos</h1>
<veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in></veil-session>
<p id="videos-status" role="status">Loading your videos…</p>
<ul id="videos"></ul>
</main>`,
    '/assets/videos.js',
  );
}
