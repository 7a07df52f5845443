/**
 * The LTI 1.3 tool's routes (LTI Core 1.3 §4–5, IMS Security Framework 1.0 §5.1):
 * `GET|POST /lti/login` — third-party login initiation: checks the parameters and the
 *   registration, stores a single-use state with its nonce and browser binding, and answers the
 *   login page that keeps the binding in a carrier and goes on to the platform's auth endpoint;
 * `POST /lti/launch` — the platform's `form_post`: the id_token validated rule by rule, the state
 *   taken exactly once and only with its binding, then the tool page with the player and a Veil
 *   session token; `POST /lti/session` renews that token; `GET /lti/jwks` — the tool's keys.
 * A bad login answers 400, a bad launch 401, each with an error page; nothing ever redirects to a
 * target that is not registered.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { VeilError } from '../../protocol/errors.js';
import { LTI_ROUTES, type LtiSessionRenewal } from '../../protocol/lti.js';
import type { RouteContext, RouteDefinition } from '../context.js';
import { bearerToken, readBodyBytes } from '../http/body.js';
import { fail, jsonResponse, toErrorResponse } from '../http/json.js';
import { grantViewer } from '../access/grant-viewer.js';
import { auditEvents } from './access.js';
import { coursePrincipal } from '../lti/claims.js';
import { DEEP_LINK_TTL_MS, instructorOf, pickableVideos, pickedVideo, signDeepLinkingResponse, type DeepLinkingDeps } from '../lti/deep-linking.js';
import { validateIdToken, type LaunchClaims } from '../lti/id-token.js';
import { LAUNCH_SCRIPT } from '../lti/launch-script.js';
import { continuePage, deepLinkReturnPage, errorPage, htmlResponse, loginPage, pickerPage, toolPage, type ToolPageAssets } from '../lti/pages.js';
import { LTI_SESSION_RENEWAL_GRACE_SECONDS, sessionSubjectOf, type LtiSessionSubject, type LtiSessionTokens } from '../lti/session-token.js';
import type { LtiRegistration, LtiStore } from '../lti/store.js';
import type { SigningKeyRing } from '../storage/signing-keys.js';

/** How long a login may take to come back as a launch. */
export const LTI_LOGIN_TTL_MS = 5 * 60 * 1000;
const MAX_FORM_BYTES = 64 * 1024;
const MAX_PARAM_LENGTH = 2048;
/** 256-bit state, nonce and binding (the Security Framework asks for at least 128). */
const SECRET_BYTES = 32;

export interface LtiRouteDeps {
  /** The tool's public URL (origin and optional base path). */
  publicUrl: string;
  store: LtiStore;
  sessions: LtiSessionTokens;
  toolKeys: Pick<SigningKeyRing, 'publicJwks' | 'signingKey'>;
  /** The key set of a registration (cached per JWKS URL by the caller). */
  platformKeys: (registration: LtiRegistration) => JWTVerifyGetKey;
  /** Re-checked on every renewal (NRPS: a removed learner gets no new session); default: always. */
  mayRenew?: (subject: LtiSessionSubject, registration: LtiRegistration) => Promise<boolean>;
  assets: ToolPageAssets;
  /** Deep Linking 2.0 (the picker); without it an `LtiDeepLinkingRequest` is refused as an unknown message type. */
  deepLinking?: DeepLinkingDeps;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function secret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A login's cookie and storage key: derived from the state's hash, so parallel launches never collide. */
function loginKey(stateHash: string): string {
  return stateHash.slice(0, 22);
}

async function formParams(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') fail('BAD_REQUEST', 'Send the form as application/x-www-form-urlencoded.');
  const bytes = await readBodyBytes(request, MAX_FORM_BYTES);
  if (!bytes) fail('REQUEST_TOO_LARGE', `The form is over ${MAX_FORM_BYTES} bytes.`);
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function ltiRoutes(deps: LtiRouteDeps): RouteDefinition[] {
  const root = deps.publicUrl.replace(/\/$/, '');
  const launchUrl = `${root}${LTI_ROUTES.launch}`;
  const registeredTargets = new Set([launchUrl]);

  async function frameAncestors(): Promise<string[]> {
    return [...new Set((await deps.store.registrations()).map((registration) => new URL(registration.authEndpoint).origin))];
  }

  /** Every refusal is a page (400 or 401 by its code), framable by the platforms like the tool. */
  async function page(handle: () => Promise<Response>): Promise<Response> {
    try {
      return await handle();
    } catch (error) {
      if (!(error instanceof VeilError)) return toErrorResponse(error);
      return htmlResponse(errorPage(error), error.status, await frameAncestors());
    }
  }

  function param(params: URLSearchParams, name: string, required: boolean): string | undefined {
    const values = params.getAll(name);
    if (values.length > 1) fail('LTI_LOGIN_PARAMETER_MISSING', `\`${name}\` is sent more than once.`, { param: name });
    const value = values[0];
    if (value === undefined || value === '') {
      if (required) fail('LTI_LOGIN_PARAMETER_MISSING', undefined, { param: name });
      return undefined;
    }
    if (value.length > MAX_PARAM_LENGTH) fail('LTI_LOGIN_PARAMETER_MISSING', undefined, { param: name, reason: 'too-long' });
    return value;
  }

  async function login(params: URLSearchParams): Promise<Response> {
    const issuer = param(params, 'iss', true)!;
    const loginHint = param(params, 'login_hint', true)!;
    const targetLinkUri = param(params, 'target_link_uri', true)!;
    const messageHint = param(params, 'lti_message_hint', false);
    const clientId = param(params, 'client_id', false);
    const deploymentId = param(params, 'lti_deployment_id', false);
    const storageTarget = param(params, 'lti_storage_target', false) ?? null;
    const registration = await deps.store.registration(issuer, clientId);
    if (!registration) fail('LTI_PLATFORM_UNKNOWN', undefined, { issuer });
    if (deploymentId !== undefined && !Object.hasOwn(registration.deployments, deploymentId)) fail('LTI_PLATFORM_UNKNOWN', 'This course tool is not set up for this deployment.', { deploymentId });
    if (!registeredTargets.has(targetLinkUri)) fail('LTI_TARGET_LINK_UNREGISTERED', undefined, { targetLinkUri });

    const state = secret();
    const nonce = secret();
    const binding = secret();
    const stateHash = sha256(state);
    await deps.store.saveLogin({
      stateHash,
      nonce,
      bindingHash: sha256(binding),
      issuer: registration.issuer,
      clientId: registration.clientId,
      targetLinkUri,
      storageTarget,
      expiresAt: Date.now() + LTI_LOGIN_TTL_MS,
    });
    const auth = new URL(registration.authEndpoint);
    const query: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: registration.clientId,
      redirect_uri: launchUrl,
      // Echoed exactly as received (Security Framework §5.1.1.2).
      login_hint: loginHint,
      state,
      nonce,
    };
    if (messageHint !== undefined) query.lti_message_hint = messageHint;
    for (const [name, value] of Object.entries(query)) auth.searchParams.set(name, value);
    const key = loginKey(stateHash);
    const topLevel = new URL(`${root}${LTI_ROUTES.login}`);
    for (const [name, value] of params) if (name !== 'lti_storage_target') topLevel.searchParams.append(name, value);
    const body = loginPage({ authUrl: auth.href, key, binding, cookieName: `veil-lti-${key}`, platformOrigin: auth.origin, storageTarget, newWindowUrl: topLevel.href });
    return htmlResponse(body, 200, await frameAncestors());
  }

  async function launch(request: Request): Promise<Response> {
    const form = await formParams(request);
    if (form.has('error')) fail('LTI_ID_TOKEN_MISSING', undefined, { platformError: (form.get('error') ?? '').slice(0, 100) });
    const idToken = form.get('id_token');
    const state = form.get('state');
    if (!idToken || !state) fail('LTI_ID_TOKEN_MISSING', undefined, { reason: idToken ? 'state' : 'id_token' });
    if (state.length > MAX_PARAM_LENGTH) fail('LTI_STATE_UNKNOWN');
    const stateHash = sha256(state);
    const now = Date.now();
    const pending = await deps.store.peekLogin(stateHash, now);
    if (!pending) fail('LTI_STATE_UNKNOWN');
    const registration = await deps.store.registration(pending.issuer, pending.clientId);
    if (!registration) fail('LTI_PLATFORM_UNKNOWN', undefined, { issuer: pending.issuer });
    const claims = await validateIdToken(idToken, { registration, nonce: pending.nonce, targetLinkUri: pending.targetLinkUri, keys: deps.platformKeys(registration), now, deepLinking: deps.deepLinking !== undefined });

    const key = loginKey(stateHash);
    const cookieName = `veil-lti-${key}`;
    const fromCookie = cookie(request, cookieName);
    const fromForm = form.get('bind');
    if (fromCookie === undefined && fromForm === null) {
      // The cookie did not come: the binding is in platform storage or localStorage; the page reads it and posts again.
      const body = continuePage({ key, platformOrigin: new URL(registration.authEndpoint).origin, storageTarget: pending.storageTarget, idToken, state });
      return htmlResponse(body, 200, await frameAncestors());
    }
    const binding = fromCookie ?? fromForm ?? '';
    if (!sameSecret(sha256(binding), pending.bindingHash)) fail('LTI_STATE_UNBOUND');
    // Single use: of two launches with this state only the one that removes it goes on.
    if (!(await deps.store.takeLogin(stateHash, now))) fail('LTI_STATE_UNKNOWN');
    const carrier = fromCookie !== undefined ? 'cookie' : (form.get('carrier') ?? 'unknown');
    // The binding is spent: the cookie (if it was the carrier) goes with the login.
    const spent = { 'set-cookie': `${cookieName}=; Path=/lti/; Max-Age=0; Secure; SameSite=None; Partitioned` };
    return claims.deepLinking ? picker(claims, spent) : toolResponse(claims, carrier, spent);
  }

  async function toolResponse(claims: LaunchClaims, carrier: string, headers: Record<string, string>): Promise<Response> {
    const videoId = claims.custom.video;
    if (!videoId) fail('LTI_CLAIM_INVALID', 'This course link names no video.', { reason: 'custom.video' });
    const { token } = await deps.sessions.sign(sessionSubjectOf(claims));
    const body = toolPage(deps.assets, { api: root, issuer: deps.sessions.issuer, clientId: claims.clientId, org: claims.org, token, videoId, title: claims.contextTitle ?? 'Course video', carrier });
    return htmlResponse(body, 200, await frameAncestors(), headers);
  }

  /** An instructor's deep-linking request: the picker of what she may share, behind a single-use secret. */
  async function picker(claims: LaunchClaims, headers: Record<string, string>): Promise<Response> {
    const deepLinking = deps.deepLinking!;
    const settings = claims.deepLinking!;
    const sub = await instructorOf(deepLinking.directory, claims.org, claims.email);
    const videos = await pickableVideos(deepLinking, sub, claims.org);
    const deepLink = secret();
    await deps.store.saveDeepLink({
      idHash: sha256(deepLink),
      issuer: claims.issuer,
      clientId: claims.clientId,
      deploymentId: claims.deploymentId,
      org: claims.org,
      contextId: claims.contextId,
      sub,
      returnUrl: settings.returnUrl,
      data: settings.data ?? null,
      expiresAt: Date.now() + DEEP_LINK_TTL_MS,
    });
    const body = pickerPage({ deepLink, courseTitle: claims.contextTitle ?? 'this course', videos: videos.map(({ id, title }) => ({ id, title })) });
    return htmlResponse(body, 200, await frameAncestors(), headers);
  }

  /** The picker's choice (taken once): the course gets `viewer`, the platform the signed response. */
  async function pick(request: Request): Promise<Response> {
    const deepLinking = deps.deepLinking;
    if (!deepLinking) fail('NOT_FOUND', 'This tool offers no deep linking.');
    const form = await formParams(request);
    const given = form.get('deep_link') ?? '';
    if (given === '' || given.length > MAX_PARAM_LENGTH) fail('LTI_DEEP_LINK_UNKNOWN');
    const link = await deps.store.takeDeepLink(sha256(given), Date.now());
    if (!link) fail('LTI_DEEP_LINK_UNKNOWN');
    const registration = await deps.store.registration(link.issuer, link.clientId);
    if (!registration || registration.deployments[link.deploymentId] !== link.org) fail('LTI_DEPLOYMENT_UNKNOWN', undefined, { deploymentId: link.deploymentId });
    // Re-decided now: a share right lost while the picker was open gives nothing.
    const video = await pickedVideo(deepLinking, link.sub, link.org, form.get('video') ?? '');
    const granted = await grantViewer(deepLinking.grants, video.id, coursePrincipal(link.issuer, link.deploymentId, link.contextId), link.sub);
    // On the trail like a share-dialog grant: the same records, the instructor as actor.
    if (granted.outcome === 'granted') await deepLinking.audit?.(auditEvents(video, link.sub, granted.before, granted.update));
    const jwt = await signDeepLinkingResponse(deps.toolKeys, {
      clientId: link.clientId,
      platformIssuer: link.issuer,
      deploymentId: link.deploymentId,
      ...(link.data === null ? {} : { data: link.data }),
      launchUrl,
      video,
    });
    return htmlResponse(deepLinkReturnPage({ returnUrl: link.returnUrl, jwt, title: video.title }), 200, await frameAncestors(), {}, [new URL(link.returnUrl).origin]);
  }

  async function renew(request: Request): Promise<Response> {
    const subject = await deps.sessions.verify(bearerToken(request), LTI_SESSION_RENEWAL_GRACE_SECONDS);
    const registration = await deps.store.registration(subject.plat);
    if (!registration || registration.deployments[subject.dep] !== subject.org) fail('LTI_SESSION_INVALID', undefined, { reason: 'deployment' });
    if (deps.mayRenew && !(await deps.mayRenew(subject, registration))) fail('LTI_SESSION_INVALID', undefined, { reason: 'membership' });
    const renewal: LtiSessionRenewal = await deps.sessions.sign(subject);
    return jsonResponse(renewal);
  }

  const loginRoute = (method: 'GET' | 'POST') => ({
    path: LTI_ROUTES.login,
    method,
    limit: 'token-service' as const,
    handle: ({ request, url }: RouteContext) => page(async () => login(method === 'GET' ? url.searchParams : await formParams(request))),
  });

  return [
    loginRoute('GET'),
    loginRoute('POST'),
    { path: LTI_ROUTES.launch, method: 'POST', limit: 'token-service', handle: ({ request }) => page(() => launch(request)) },
    { path: LTI_ROUTES.deepLink, method: 'POST', limit: 'token-service', handle: ({ request }) => page(() => pick(request)) },
    { path: LTI_ROUTES.session, method: 'POST', limit: 'token-service', handle: ({ request }) => renew(request) },
    {
      path: LTI_ROUTES.jwks,
      method: 'GET',
      limit: 'admin',
      handle: async () => jsonResponse({ keys: await deps.toolKeys.publicJwks() }, { headers: { 'cache-control': 'public, max-age=60' } }),
    },
    {
      path: LTI_ROUTES.script,
      method: 'GET',
      handle: async () => new Response(LAUNCH_SCRIPT, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' } }),
    },
  ];
}
