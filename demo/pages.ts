/**
 * The demo's own pages. Every interpolated value is escaped; no inline script or style.
 */
import { html, type SafeHtml } from './idp/html.js';
import type { DemoConfig } from './config.js';

export interface DemoVideo {
  id: string;
  title: string;
}

function layout(title: string, body: SafeHtml, script = '/assets/demo.js'): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Veil demo</title>
<link rel="stylesheet" href="/assets/demo.css">
<script type="module" src="/assets/trusted-types.js"></script>
<script type="module" src="/veil/define.js"></script>
<script type="module" src="${script}"></script>
</head>
<body>
${body}
</body>
</html>`.toString();
}

export function watchPage(config: DemoConfig, videoId: string): string {
  const player = html`<veil-player video="${videoId}" hls-worker-url="/veil/hls.worker.js"></veil-player>`;
  return layout(
    videoId,
    html`<header><a href="/">Veil demo</a><button type="button" id="sign-out">Sign out</button></header>
<main><veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in>${player}</veil-session></main>`,
  );
}

/**
 * The share page (demo contract): `<veil-session auto-sign-in>` around
 * `<veil-share-dialog video open>`. Whether anything can be shared is the server's answer.
 */
export function sharePage(config: DemoConfig, videoId: string): string {
  return layout(
    `Share ${videoId}`,
    html`<header><a href="/">Veil demo</a><button type="button" id="sign-out">Sign out</button></header>
<main><veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in><veil-share-dialog video="${videoId}" open></veil-share-dialog></veil-session></main>`,
  );
}

export function indexPage(videos: readonly DemoVideo[]): string {
  const items = videos.map(
    (video) => html`<li><a href="/watch?v=${encodeURIComponent(video.id)}">${video.title}</a> <code>${video.id}</code> <a href="/share?v=${encodeURIComponent(video.id)}">Share</a></li>`,
  );
  return layout(
    'Home',
    html`<header><a href="/">Veil demo</a></header>
<main>
<h1>Veil demo</h1>
<p>Protected sample videos. Sign in as <code>alice@acme.test</code>, <code>bob@acme.test</code> or <code>carol@acme.test</code> (org acme) to watch;
<code>mallory@globex.test</code> is outside the perimeter. Password: <code>veil-demo</code>.</p>
<ul>${items}</ul>
</main>`,
  );
}

/**
 * The admin page (demo contract): `<veil-session auto-sign-in>` signs the viewer in; the page's
 * script fetches `GET /api/audit/events` with the session's access token and renders one
 * `<tr data-event-id data-type data-actor data-video>` per record. The server decides who may read.
 */
export function auditPage(config: DemoConfig): string {
  return layout(
    'Audit trail',
    html`<header><a href="/">Veil demo</a><button type="button" id="sign-out">Sign out</button></header>
<main>
<h1>Audit trail</h1>
<veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in></veil-session>
<p id="audit-status" role="status">Loading the audit trail…</p>
<table id="audit-trail" hidden>
<thead><tr><th>#</th><th>server time</th><th>type</th><th>actor</th><th>video</th><th>session · seq</th><th>position</th><th>data</th></tr></thead>
<tbody></tbody>
</table>
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
    html`<header><a href="/">Veil demo</a> <a href="/videos">My videos</a><button type="button" id="sign-out">Sign out</button></header>
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
    html`<header><a href="/">Veil demo</a> <a href="/record">Record</a><button type="button" id="sign-out">Sign out</button></header>
<main>
<h1>My videos</h1>
<veil-session issuer="${config.issuer}" client-id="veil-demo" api="${config.origin}" org="${config.org}" auto-sign-in></veil-session>
<p id="videos-status" role="status">Loading your videos…</p>
<ul id="videos"></ul>
</main>`,
    '/assets/videos.js',
  );
}
