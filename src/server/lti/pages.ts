/**
 * The tool's HTML pages: the login bounce, the launch's second post, the tool page with the
 * player, and error pages. Every value is escaped; scripts come only from files (no inline
 * script or style); `frame-ancestors` names the registered platforms' origins and nothing else.
 */
import { ERROR_INFO, type VeilError } from '../../protocol/errors.js';
import { LTI_ROUTES, LTI_SESSION_META } from '../../protocol/lti.js';
import { pageCsp } from '../http/security.js';

export interface ToolPageAssets {
  /** Module scripts the tool page loads (the Veil library's define entry, a Trusted Types policy). */
  scripts: readonly string[];
  styles?: readonly string[];
  /** hls.js's worker file (`hls-worker-url` of the player), for HLS videos under a strict CSP. */
  hlsWorkerUrl?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** `formTargets`: origins the page's forms may post to besides its own (the deep-linking return). */
export function htmlResponse(body: string, status: number, frameAncestors: readonly string[], extraHeaders: Record<string, string> = {}, formTargets: readonly string[] = []): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': pageCsp({ frameAncestors, formTargets }),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...extraHeaders,
    },
  });
}

function document(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Veil</title>
${head}</head>
<body>
${body}
</body>
</html>`;
}

export interface LoginPageData {
  authUrl: string;
  key: string;
  binding: string;
  cookieName: string;
  platformOrigin: string;
  storageTarget: string | null;
  /** The same login, top-level (the "Open in a new window" control). */
  newWindowUrl: string;
}

function dataAttributes(values: Record<string, string | null>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => ` data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeHtml(value)}"`)
    .join('');
}

export function loginPage(data: LoginPageData): string {
  const { newWindowUrl, ...rest } = data;
  return document(
    'Starting the course video',
    `<main id="veil-lti-login"${dataAttributes(rest)}>
<p id="veil-lti-waiting">Starting the video…</p>
<p id="veil-lti-new-window" hidden>This course page blocks what the video needs in its frame.
<a data-veil-action="open-new-window" href="${escapeHtml(newWindowUrl)}" target="_blank">Open in a new window</a></p>
</main>`,
    `<script src="${LTI_ROUTES.script}" defer></script>\n`,
  );
}

export function continuePage(data: { key: string; platformOrigin: string; storageTarget: string | null; idToken: string; state: string }): string {
  return document(
    'Starting the course video',
    `<main id="veil-lti-launch"${dataAttributes({ key: data.key, platformOrigin: data.platformOrigin, storageTarget: data.storageTarget })}>
<p>Starting the video…</p>
<form id="veil-lti-form" method="post" action="${LTI_ROUTES.launch}">
<input type="hidden" name="id_token" value="${escapeHtml(data.idToken)}">
<input type="hidden" name="state" value="${escapeHtml(data.state)}">
<input type="hidden" name="bind" value="">
<input type="hidden" name="carrier" value="">
</form>
</main>`,
    `<script src="${LTI_ROUTES.script}" defer></script>\n`,
  );
}

export interface ToolPageData {
  api: string;
  issuer: string;
  org: string;
  token: string;
  videoId: string;
  title: string;
  carrier: string;
  /** The platform's client id (the session element wants one; the LTI provider does not use it). */
  clientId: string;
}

export function toolPage(assets: ToolPageAssets, data: ToolPageData): string {
  const head = [
    `<meta name="${LTI_SESSION_META}" content="${escapeHtml(data.token)}">`,
    ...(assets.styles ?? []).map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`),
    ...assets.scripts.map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`),
  ].join('\n');
  return document(
    data.title,
    `<main class="veil-lti-tool" data-veil-lti-carrier="${escapeHtml(data.carrier)}">
<veil-session provider="lti" client-id="${escapeHtml(data.clientId)}" issuer="${escapeHtml(data.issuer)}" api="${escapeHtml(data.api)}" org="${escapeHtml(data.org)}"><veil-player video="${escapeHtml(data.videoId)}"${assets.hlsWorkerUrl ? ` hls-worker-url="${escapeHtml(assets.hlsWorkerUrl)}"` : ''}></veil-player></veil-session>
</main>`,
    `${head}\n`,
  );
}

export interface PickerPageData {
  /** The picker's single-use secret (posted back with the choice). */
  deepLink: string;
  courseTitle: string;
  videos: ReadonlyArray<{ id: string; title: string }>;
}

/** The deep-linking picker: one form per video the instructor may add (no script needed). */
export function pickerPage(data: PickerPageData): string {
  const items = data.videos.map(
    (video) => `<li><form method="post" action="${LTI_ROUTES.deepLink}">
<input type="hidden" name="deep_link" value="${escapeHtml(data.deepLink)}">
<input type="hidden" name="video" value="${escapeHtml(video.id)}">
<span class="veil-lti-video-title">${escapeHtml(video.title)}</span>
<button type="submit" data-veil-pick="${escapeHtml(video.id)}">Add to course</button>
</form></li>`,
  );
  return document(
    'Add a video',
    `<main id="veil-lti-picker">
<h1>Add a Veil video to ${escapeHtml(data.courseTitle)}</h1>
${items.length ? `<ul>${items.join('')}</ul>` : '<p data-veil-picker-empty>You have no videos you may share yet.</p>'}
<p>Students of this course only will be able to watch the video you add.</p>
</main>`,
  );
}

/** The signed `LtiDeepLinkingResponse`, posted to the platform's return URL by the launch script. */
export function deepLinkReturnPage(data: { returnUrl: string; jwt: string; title: string }): string {
  return document(
    'Adding the video',
    `<main id="veil-lti-deep-link-return">
<p>Adding “${escapeHtml(data.title)}” to the course…</p>
<form id="veil-lti-return-form" method="post" action="${escapeHtml(data.returnUrl)}">
<input type="hidden" name="JWT" value="${escapeHtml(data.jwt)}">
<noscript><button type="submit">Continue</button></noscript>
</form>
</main>`,
    `<script src="${LTI_ROUTES.script}" defer></script>\n`,
  );
}

export function errorPage(error: VeilError): string {
  const info = ERROR_INFO[error.code];
  return document(
    'The course video could not start',
    `<main class="veil-lti-error" data-veil-error-code="${escapeHtml(error.code)}">
<h1>The course video could not start</h1>
<p>${escapeHtml(info.message)}</p>
<p><code>${escapeHtml(error.code)}</code></p>
</main>`,
  );
}
