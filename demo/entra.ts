/**
 * The demo's opt-in Entra mode (tests start it with an Entra look-alike over HTTPS): the Entra
 * verifiers for the allowed tenant beside the dev IdP's, the watch page with
 * `<veil-session provider="entra">`, the redirect-bridge page msal returns to and the popup-relay
 * page it opens from a frame. The pages' CSP lets them reach the authority's origin, and nothing
 * else off-origin.
 */
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { createEntraVerifiers } from '../src/server/identity/entra.js';
import type { IdentityVerifier } from '../src/server/identity/verifier.js';
import { DEMO_CSP, SECURITY_HEADERS } from './csp.js';
import { html } from './idp/html.js';

export interface DemoEntraOptions {
  /** `{origin}/entra` of the authority (the look-alike's `authorityBase`). */
  authorityBase: string;
  /** The tenant whose members are the demo org's, with its signing keys. */
  tenant: { tenantId: string; jwks: { keys: JsonWebKey[] } };
  membersOnly?: boolean;
  /** Origins allowed to frame the watch page (CSP `frame-ancestors`); none by default. */
  frameAncestors?: readonly string[];
}

export function entraIssuer(options: DemoEntraOptions): string {
  return `${options.authorityBase}/${options.tenant.tenantId}/v2.0`;
}

export function entraVerifiers(options: DemoEntraOptions, org: string, audience: string): IdentityVerifier[] {
  return createEntraVerifiers({
    tenants: [{ tenantId: options.tenant.tenantId, org }],
    audience,
    authorityBase: options.authorityBase,
    // The look-alike signs like the dev IdP (ES256); Entra itself signs RS256, the default.
    algorithms: ['ES256'],
    jwks: () => createLocalJWKSet(options.tenant.jwks as JSONWebKeySet),
    membersOnly: options.membersOnly,
  });
}

function page(body: string, authority: string, { frameAncestors = [], headers = {} }: { frameAncestors?: readonly string[]; headers?: Record<string, string> } = {}): Response {
  let csp = DEMO_CSP.replace("connect-src 'self'", `connect-src 'self' ${new URL(authority).origin}`);
  if (frameAncestors.length) csp = csp.replace("frame-ancestors 'none'", `frame-ancestors ${frameAncestors.join(' ')}`);
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS, 'content-security-policy': csp, ...headers } });
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `/entra/watch?v=[&tenant=]`: the player behind Entra sign-in (redirect at top level, popup
 * through the relay when framed). `tenant` picks another tenant of the authority to sign in at
 * (as a multi-tenant app would let anyone do): the page shows the server refusing it.
 */
export function entraWatchPage(options: DemoEntraOptions, origin: string, videoId: string, tenant?: string): Response {
  const issuer = tenant && TENANT_ID.test(tenant) ? `${options.authorityBase}/${tenant}/v2.0` : entraIssuer(options);
  return page(
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${videoId} · Veil demo (Entra)</title>
<link rel="stylesheet" href="/assets/demo.css">
<script type="module" src="/assets/trusted-types.js"></script>
<script type="module" src="/veil/define.js"></script>
</head><body><main><veil-session provider="entra" issuer="${issuer}" client-id="veil-demo" api="${origin}" redirect-uri="${origin}/entra/redirect" scope="openid profile offline_access org" auto-sign-in><veil-player video="${videoId}" hls-worker-url="/veil/hls.worker.js"></veil-player></veil-session></main></body></html>`.toString(),
    options.authorityBase,
    { frameAncestors: options.frameAncestors },
  );
}

/**
 * `/entra/entra-popup-relay.html`: the popup-relay page msal opens from a framed page (the
 * provider's `popupRelayUri`, resolved beside the redirect URI); it may navigate to the authority only.
 */
export function entraPopupRelayPage(options: DemoEntraOptions): Response {
  return page(
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in…</title>
<meta name="veil-entra-authority-origins" content="${new URL(options.authorityBase).origin}">
<script type="module" src="/veil/entra-popup-relay.js"></script>
</head><body></body></html>`.toString(),
    options.authorityBase,
    // Its opener is the player's frame inside another site's page: COOP same-origin would cut that link.
    { headers: { 'cross-origin-opener-policy': 'unsafe-none' } },
  );
}

/** `/entra/redirect`: msal's redirect URI, the redirect-bridge page. */
export function entraRedirectPage(options: DemoEntraOptions): Response {
  return page(
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in…</title>
<script type="module" src="/veil/entra-redirect-bridge.js"></script>
</head><body></body></html>`.toString(),
    options.authorityBase,
    // In a popup, a COOP switch here makes the relay see its child as closed (user_cancelled).
    { headers: { 'cross-origin-opener-policy': 'unsafe-none' } },
  );
}
