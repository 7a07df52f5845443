/**
 * The demo LMS: a spec-faithful LTI 1.3 platform (LTI Core 1.3, Security Framework 1.0, LTI
 * Client Side postMessages) served at `/lms/` on another site than the tool (demo contract).
 * Sign-in, course pages whose resource links are iframes that start the tool's login initiation,
 * the OIDC auth endpoint (exact redirect URI, `prompt=none`, `login_hint` = the signed-in user,
 * nonce, a signed `lti_message_hint`) answering by `form_post`, the platform's JWKS, and a
 * platform-storage frame. Variants: `canvas` names the storage frame (`lti_storage_target`),
 * `brightspace` too, and its roster only takes access tokens granted for its OAuth2 Audience,
 * `blackboard` offers storage only through `lti.capabilities`, `moodle` neither (numeric ids,
 * `lti_deployment_id`), `legacy` nothing and a sandboxed frame (the tool needs a new window).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { LTI_CLAIM } from '../../src/server/lti/claims.js';
import { LTI_ROUTES } from '../../src/protocol/lti.js';
import { html, type SafeHtml } from '../idp/html.js';
import { courseById, findLink, LMS_PASSWORD, LMS_USERS, userByEmail, VARIANTS, type LmsUser, type ResourceLink, type Variant } from './directory.js';
import { LMS_SCRIPT } from './lms-script.js';
import { deepLinkingClaims, DEEP_LINK_MUTATORS, launchClaims, MUTATORS, PlatformKeys, ROLE, signLaunch, type Signing } from './platform.js';

export interface LmsOptions {
  /** Where the LMS is reached, e.g. `http://localhost:8080` (its issuer is `<origin>/lms`). */
  origin: string;
  /** The tool's origin (`http://127.0.0.1:8080`). */
  toolOrigin: string;
  clientId: string;
  deploymentId: string;
  /** Where the tool's server reaches the LMS (token endpoint, NRPS); default `origin`. */
  backchannelOrigin?: string;
}

/** NRPS member statuses (NRPS 2.0 §2.2). */
export type MemberStatus = 'Active' | 'Inactive' | 'Deleted';
/** Members per NRPS page: small, so that paging is exercised. */
const NRPS_PAGE_SIZE = 1;
const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

const SESSION_COOKIE = 'veil_lms';
const HINT_TTL_MS = 10 * 60 * 1000;

interface MessageHint {
  course: string;
  /** The resource link launched; absent for a deep-linking request ("Add Veil video"). */
  link?: string;
  variant: Variant;
  mutate?: string;
  exp: number;
}

/** The deep-linking request's `data`: signed by the LMS, single-use (its `id`), echoed by the tool. */
interface DeepLinkData {
  id: string;
  course: string;
  user: string;
  variant: Variant;
  exp: number;
}

export async function createDemoLms(options: LmsOptions) {
  const issuer = `${options.origin}/lms`;
  const launchUrl = `${options.toolOrigin}${LTI_ROUTES.launch}`;
  const keys = await PlatformKeys.create();
  const sessions = new Map<string, LmsUser>();
  const hintKey = randomBytes(32);
  const backchannel = `${options.backchannelOrigin ?? options.origin}/lms`;
  /** Brightspace's "OAuth2 Audience": an identifier of its own, not the token endpoint's URL. */
  const audience = `${issuer}/oauth2-audience`;
  const toolKeys = createRemoteJWKSet(new URL(`${options.toolOrigin}${LTI_ROUTES.jwks}`));
  /** Access token → its expiry and whether its client assertion named the OAuth2 Audience. */
  const accessTokens = new Map<string, { expiresAt: number; viaAudience: boolean }>();
  const statuses = new Map<string, MemberStatus>();
  const statusOf = (courseId: string, userId: string): MemberStatus => statuses.get(`${courseId} ${userId}`) ?? 'Active';
  // Resource links teachers added by deep linking, per course (in memory, like the sessions).
  const added = new Map<string, ResourceLink[]>();
  const usedDeepLinks = new Set<string>();
  const linksOf = (courseId: string): ResourceLink[] => [...(courseById(courseId)?.links ?? []), ...(added.get(courseId) ?? [])];
  const linkById = (id: string): ResourceLink | undefined => findLink(id) ?? [...added.values()].flat().find((link) => link.id === id);

  const csp = (frameAncestors: string, extra = '') =>
    `default-src 'none'; script-src 'self'; style-src 'self'; frame-src 'self' ${options.toolOrigin}; form-action 'self' ${options.toolOrigin}; base-uri 'none'; frame-ancestors ${frameAncestors}${extra}`;
  const page = (title: string, body: SafeHtml, status = 200, frameAncestors = "'none'", headers: Record<string, string> = {}) =>
    new Response(
      html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Demo LMS</title><link rel="stylesheet" href="/lms/assets/lms.css"><script src="/lms/assets/lms.js" defer></script></head>
<body>${body}</body></html>`.toString(),
      { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': csp(frameAncestors), 'referrer-policy': 'no-referrer', ...headers } },
    );

  function userOf(request: Request): LmsUser | undefined {
    const cookie = (request.headers.get('cookie') ?? '').split(';').map((part) => part.trim()).find((part) => part.startsWith(`${SESSION_COOKIE}=`));
    return cookie ? sessions.get(cookie.slice(SESSION_COOKIE.length + 1)) : undefined;
  }

  /** An LMS-signed value (the message hint, the deep-linking `data`): only this LMS can make one. */
  function signHint(hint: MessageHint | DeepLinkData): string {
    const body = Buffer.from(JSON.stringify(hint)).toString('base64url');
    return `${body}.${createHmac('sha256', hintKey).update(body).digest('base64url')}`;
  }

  function readHint<T extends { exp: number } = MessageHint>(value: string | undefined): T | undefined {
    const [body, mac] = (value ?? '').split('.');
    if (!body || !mac) return undefined;
    const expected = createHmac('sha256', hintKey).update(body).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const hint = JSON.parse(Buffer.from(body, 'base64url').toString()) as T;
    return hint.exp > Date.now() ? hint : undefined;
  }

  function loginHintOf(user: LmsUser, variant: Variant): string {
    return variant === 'moodle' ? user.number : user.id;
  }

  /** The iframe that starts the tool's login initiation for one resource link (or, without one, a deep-linking request). */
  function launchFrame(user: LmsUser, courseId: string, link: ResourceLink | undefined, variant: Variant, mutate: string | undefined): SafeHtml {
    const login = new URL(`${options.toolOrigin}${LTI_ROUTES.login}`);
    const params: Record<string, string> = {
      iss: issuer,
      login_hint: loginHintOf(user, variant),
      target_link_uri: launchUrl,
      lti_message_hint: signHint({ course: courseId, ...(link ? { link: link.id } : {}), variant, ...(mutate ? { mutate } : {}), exp: Date.now() + HINT_TTL_MS }),
      client_id: options.clientId,
    };
    if (variant !== 'legacy') params.lti_deployment_id = options.deploymentId;
    if (namesStorageFrame(variant)) params.lti_storage_target = 'veil-lms-storage';
    for (const [name, value] of Object.entries(params)) login.searchParams.set(name, value);
    const sandbox = variant === 'legacy' ? html` sandbox="allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox"` : html``;
    const title = link?.title ?? 'Add Veil video';
    return html`<section class="resource-link" data-link="${link?.id ?? 'deep-link'}"><h2>${title}</h2>
<iframe title="${title}" src="${login.href}" allow="fullscreen; encrypted-media; autoplay" allowfullscreen${sandbox}></iframe></section>`;
  }

  const namesStorageFrame = (variant: Variant) => variant === 'canvas' || variant === 'brightspace';
  const variantOf = (value: string | undefined): Variant => ((VARIANTS as readonly string[]).includes(value ?? '') ? (value as Variant) : 'canvas');
  /** Canvas's (and Brightspace's) platform-storage frame (the one its `lti_storage_target` names). */
  const storageFrame = (variant: Variant): SafeHtml => (namesStorageFrame(variant) ? html`<iframe name="veil-lms-storage" class="lms-storage" src="/lms/storage" title="platform storage" hidden></iframe>` : html``);

  /** The auth endpoint's answer once `redirect_uri` is known good: a `form_post` (auto-submitted). */
  function formPost(fields: Record<string, string>): Response {
    const inputs = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
    return page('Launching', html`<form method="post" action="${launchUrl}" data-auto-submit>${inputs}<noscript><button>Continue</button></noscript></form>`, 200, "'self'");
  }

  async function authorize(request: Request, q: URLSearchParams): Promise<Response> {
    const bad = (reason: string) => page('Launch refused', html`<main data-lms-error="${reason}"><h1>Launch refused</h1><p>${reason}</p></main>`, 400, "'self'");
    // Until the redirect URI is known to be registered, errors are pages, never redirects.
    if (q.get('client_id') !== options.clientId) return bad('unknown client_id');
    if (q.get('redirect_uri') !== launchUrl) return bad('redirect_uri is not registered');
    const state = q.get('state');
    if (!state) return bad('state is required');
    const error = (code: string) => formPost({ error: code, state });
    if (q.get('scope') !== 'openid' || q.get('response_type') !== 'id_token' || q.get('response_mode') !== 'form_post') return error('invalid_request');
    if (q.get('prompt') !== 'none') return error('invalid_request');
    const nonce = q.get('nonce');
    if (!nonce) return error('invalid_request');
    const user = userOf(request);
    if (!user) return error('login_required');
    const hint = readHint(q.get('lti_message_hint') ?? undefined);
    if (!hint || q.get('login_hint') !== loginHintOf(user, hint.variant)) return error('login_required');
    const course = courseById(hint.course);
    const role = course?.members[user.id];
    const link = hint.link === undefined ? undefined : linkById(hint.link);
    // A deep-linking request is only ever sent for a course's instructor (LMSes offer "Add" to them alone).
    if (!course || !role || (hint.link === undefined ? role !== 'Instructor' : !link)) return error('access_denied');

    const message = {
      issuer,
      clientId: options.clientId,
      deploymentId: options.deploymentId,
      nonce,
      targetLinkUri: launchUrl,
      sub: hint.variant === 'moodle' ? user.number : user.id,
      roles: [role === 'Instructor' ? ROLE.instructor : ROLE.learner],
      context: { id: course.id, label: course.id.toUpperCase(), title: course.title },
      name: user.name,
      email: user.email,
    };
    const data: DeepLinkData = { id: randomUUID(), course: course.id, user: user.id, variant: hint.variant, exp: Date.now() + HINT_TTL_MS };
    const claims = link
      ? launchClaims({ ...message, resourceLink: { id: link.id, title: link.title }, custom: { video: link.video } })
      : deepLinkingClaims({ ...message, returnUrl: `${issuer}/deep-link/return`, data: signHint(data) });
    claims[LTI_CLAIM.nrps] = { context_memberships_url: `${backchannel}/nrps/${course.id}?variant=${hint.variant}`, service_versions: ['2.0'] };
    const signing: Signing = { claims, header: { alg: 'RS256', kid: keys.current.kid, typ: 'JWT' }, key: keys.current.privateKey };
    if (hint.mutate) await (MUTATORS[hint.mutate] ?? DEEP_LINK_MUTATORS[hint.mutate])?.apply(signing);
    return formPost({ id_token: await signLaunch(signing), state });
  }

  const app = new Hono({ strict: true });
  app.get('/lms/login', (c) => {
    const back = c.req.query('return') ?? '/lms/';
    return page(
      'Sign in',
      html`<main class="lms-login"><h1>Demo LMS</h1><form method="post" action="/lms/login"><input type="hidden" name="return" value="${back}">
<label>Email <input name="login" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></main>`,
    );
  });
  app.post('/lms/login', async (c) => {
    const form = await c.req.formData();
    const user = userByEmail(String(form.get('login') ?? ''));
    const back = String(form.get('return') ?? '/lms/');
    if (!user || form.get('password') !== LMS_PASSWORD) return page('Sign in', html`<main class="lms-login"><p role="alert">Wrong email or password.</p><a href="/lms/login">Try again</a></main>`, 401);
    const id = randomUUID();
    sessions.set(id, user);
    // SameSite=None: the auth endpoint is reached from inside the tool's frame on the course page.
    return new Response(null, {
      status: 303,
      headers: { location: back.startsWith('/lms/') ? back : '/lms/', 'set-cookie': `${SESSION_COOKIE}=${id}; Path=/lms/; HttpOnly; Secure; SameSite=None` },
    });
  });
  app.get('/lms/', (c) => {
    const user = userOf(c.req.raw);
    if (!user) return c.redirect(`/lms/login?return=${encodeURIComponent('/lms/')}`, 303);
    const mine = ['c101', 'c202'].map((id) => courseById(id)!).filter((course) => course.members[user.id]);
    return page('Courses', html`<main><h1>Your courses</h1><ul>${mine.map((course) => html`<li><a href="/lms/courses/${course.id}">${course.title}</a></li>`)}</ul></main>`);
  });
  app.get('/lms/courses/:courseId', (c) => {
    const url = new URL(c.req.url);
    const user = userOf(c.req.raw);
    if (!user) return c.redirect(`/lms/login?return=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const course = courseById(c.req.param('courseId'));
    if (!course) return page('Not found', html`<main><h1>No such course</h1></main>`, 404);
    if (!course.members[user.id]) return page('Not enrolled', html`<main data-lms-error="not-enrolled"><h1>You are not enrolled in ${course.title}</h1></main>`, 403);
    const variant = variantOf(c.req.query('variant'));
    const mutate = c.req.query('mutate');
    const copied = c.req.query('link') ? linkById(c.req.query('link')!) : undefined;
    const own = linksOf(course.id);
    const links = [...own, ...(copied && !own.includes(copied) ? [copied] : [])];
    const add = course.members[user.id] === 'Instructor' ? html`<p><a data-lms-action="add-video" href="/lms/courses/${course.id}/deep-link?variant=${variant}">Add Veil video</a></p>` : html``;
    const storage = storageFrame(variant);
    return page(
      course.title,
      html`<header class="lms-header"><strong>Demo LMS</strong> <span>${user.name}</span> <span data-variant="${variant}">${variant}</span></header>
<main id="lms-course" data-variant="${variant}" data-tool-origin="${options.toolOrigin}"><h1>${course.title}</h1>${add}${links.length ? links.map((link) => launchFrame(user, course.id, link, variant, mutate)) : html`<p>No course materials yet.</p>`}</main>${storage}`,
    );
  });
  // "Add Veil video": the tool's picker in a frame (a deep-linking launch), for the course's instructors.
  app.get('/lms/courses/:courseId/deep-link', (c) => {
    const url = new URL(c.req.url);
    const user = userOf(c.req.raw);
    if (!user) return c.redirect(`/lms/login?return=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const course = courseById(c.req.param('courseId'));
    if (!course) return page('Not found', html`<main><h1>No such course</h1></main>`, 404);
    if (course.members[user.id] !== 'Instructor') return page('Not allowed', html`<main data-lms-error="not-instructor"><h1>Only teachers add materials</h1></main>`, 403);
    const variant = variantOf(c.req.query('variant'));
    const storage = storageFrame(variant);
    return page(
      `Add a video to ${course.title}`,
      html`<header class="lms-header"><strong>Demo LMS</strong> <span>${user.name}</span></header>
<main id="lms-course" data-variant="${variant}" data-tool-origin="${options.toolOrigin}"><h1>Add a video to ${course.title}</h1>${launchFrame(user, course.id, undefined, variant, c.req.query('mutate'))}</main>${storage}`,
    );
  });
  // The deep-linking return (Deep Linking 2.0 §4.5): the tool's signed response, validated like a platform must.
  app.post('/lms/deep-link/return', async (c) => {
    const refused = (reason: string) => page('Not added', html`<main data-lms-error="${reason}"><h1>The video was not added</h1><p>${reason}</p></main>`, 400, "'self'");
    const form = new URLSearchParams(await c.req.text());
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(form.get('JWT') ?? '', toolKeys, { algorithms: ['RS256'], issuer: options.clientId, audience: issuer, maxTokenAge: '5m', requiredClaims: ['iat', 'exp', 'nonce'] }));
    } catch {
      return refused('invalid-jwt');
    }
    if (claims[LTI_CLAIM.messageType] !== 'LtiDeepLinkingResponse' || claims[LTI_CLAIM.version] !== '1.3.0') return refused('message-type');
    if (claims[LTI_CLAIM.deploymentId] !== options.deploymentId) return refused('deployment');
    const data = readHint<DeepLinkData>(typeof claims[LTI_CLAIM.deepLinkingData] === 'string' ? (claims[LTI_CLAIM.deepLinkingData] as string) : undefined);
    if (!data || !courseById(data.course)) return refused('data');
    // Single use: a response replayed (or posted twice) adds nothing.
    if (usedDeepLinks.has(data.id)) return refused('already-used');
    const items = claims[LTI_CLAIM.contentItems];
    const item = Array.isArray(items) && items.length === 1 ? (items[0] as Record<string, unknown>) : undefined;
    const video = (item?.custom as Record<string, unknown> | undefined)?.video;
    if (item?.type !== 'ltiResourceLink' || typeof video !== 'string' || (item.url !== undefined && item.url !== launchUrl)) return refused('content-items');
    usedDeepLinks.add(data.id);
    const link: ResourceLink = { id: `dl-${data.id.slice(0, 8)}`, title: typeof item.title === 'string' && item.title ? item.title.slice(0, 200) : 'Veil video', video };
    added.set(data.course, [...(added.get(data.course) ?? []), link]);
    const back = `/lms/courses/${data.course}?variant=${data.variant}`;
    return page('Added', html`<main data-lms-deep-link-added="${link.id}" data-return="${back}"><h1>Added “${link.title}”</h1><a href="${back}" target="_top">Back to the course</a></main>`, 200, "'self'");
  });
  app.get('/lms/auth', (c) => authorize(c.req.raw, new URL(c.req.url).searchParams));
  // OAuth 2 client credentials with a JWT assertion signed by the tool's key (RFC 7523). Its `aud`
  // is the token endpoint (Canvas, Moodle, Blackboard) or the OAuth2 Audience (Brightspace): one
  // endpoint serves every variant, so it takes both and the roster checks which one a token had.
  app.post('/lms/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const refuse = (error: string) => c.json({ error }, 400);
    if (form.get('grant_type') !== 'client_credentials') return refuse('unsupported_grant_type');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse('invalid_client');
    let viaAudience: boolean;
    try {
      const { payload } = await jwtVerify(form.get('client_assertion') ?? '', toolKeys, { algorithms: ['RS256'], issuer: options.clientId, subject: options.clientId, audience: [`${backchannel}/token`, audience], maxTokenAge: '5m' });
      viaAudience = payload.aud === audience;
    } catch {
      return refuse('invalid_client');
    }
    if (!(form.get('scope') ?? '').split(' ').includes(NRPS_SCOPE)) return refuse('invalid_scope');
    const token = randomBytes(24).toString('base64url');
    accessTokens.set(token, { expiresAt: Date.now() + 3600_000, viaAudience });
    return c.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: NRPS_SCOPE });
  });
  app.get('/lms/nrps/:courseId', (c) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const grant = token === undefined ? undefined : accessTokens.get(token);
    const variant = c.req.query('variant') as Variant;
    // Brightspace grants nothing for an assertion whose `aud` is its token endpoint URL.
    if (!grant || grant.expiresAt < Date.now() || (variant === 'brightspace' && !grant.viaAudience)) return c.json({ error: 'invalid_token' }, 401);
    const course = courseById(c.req.param('courseId'));
    if (!course) return c.json({ error: 'not_found' }, 404);
    const members = Object.entries(course.members).map(([userId, role]) => {
      const user = LMS_USERS.find((candidate) => candidate.id === userId)!;
      return { user_id: loginHintOf(user, variant), status: statusOf(course.id, userId), roles: [role === 'Instructor' ? ROLE.instructor : ROLE.learner], name: user.name, email: user.email };
    });
    const page = Math.max(0, Number(c.req.query('page') ?? 0) || 0);
    const slice = members.slice(page * NRPS_PAGE_SIZE, (page + 1) * NRPS_PAGE_SIZE);
    const headers: Record<string, string> = { 'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' };
    if ((page + 1) * NRPS_PAGE_SIZE < members.length) headers.link = `<${backchannel}/nrps/${course.id}?variant=${variant}&page=${page + 1}>; rel="next"`;
    return new Response(JSON.stringify({ id: c.req.url, context: { id: course.id, title: course.title }, members: slice }), { headers });
  });
  app.get('/lms/jwks', () => new Response(JSON.stringify(keys.jwks()), { headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' } }));
  app.get('/lms/storage', () => page('Platform storage', html`<main id="lms-storage" data-tool-origin="${options.toolOrigin}"></main>`, 200, "'self'"));
  app.get('/lms/assets/lms.js', () => new Response(LMS_SCRIPT, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } }));
  app.get('/lms/assets/lms.css', () => new Response(LMS_CSS, { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' } }));

  return {
    issuer,
    keys,
    /** What Brightspace lists as "OAuth2 Audience" (the registration's `authorizationServer`). */
    audience,
    /** The roster's administration (what a registrar does in a real LMS). */
    setStatus(courseId: string, userId: string, status: MemberStatus) {
      statuses.set(`${courseId} ${userId}`, status);
    },
    fetch: (request: Request) => app.fetch(request),
    registration: {
      issuer,
      clientId: options.clientId,
      authEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${backchannel}/token`,
      authorizationServer: audience,
      algorithms: ['RS256'],
      deployments: { [options.deploymentId]: 'acme' },
    },
  };
}

const LMS_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f6;color:#1d1d22}
.lms-header{background:#2d3b55;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem}
main{padding:1rem 1.5rem}
.resource-link iframe{width:min(100%,960px);aspect-ratio:16/10;border:1px solid #c8c8d0;background:#fff}
.lms-login form{display:grid;gap:.6rem;max-width:20rem}`;
