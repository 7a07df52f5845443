/**
 * The dev IdP on a node http server on an ephemeral port, and a small browser for it (fetch with
 * `redirect: 'manual'` and a cookie jar), shared by the IdP's server tests.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevIdp, type DevIdp, type LockoutOptions } from '../../demo/idp/index.js';

export const CLIENT_ID = 'veil-demo';
export const SCOPE = 'openid profile email org offline_access';

/** A cookie jar that honours Path (the IdP scopes its cookies tightly) and deletions. */
export class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  store(response: Response, requestUrl: string): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = new URL(requestUrl).pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val || '/';
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(url: string): string | undefined {
    const { pathname } = new URL(url);
    const matching = [...this.#cookies.values()].filter(
      ({ path }) => pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`),
    );
    return matching.length ? matching.map(({ name, value }) => `${name}=${value}`).join('; ') : undefined;
  }

  names(): string[] {
    return [...this.#cookies.values()].map(({ name, path }) => `${name}@${path}`);
  }
}

export class Browser {
  readonly jar = new CookieJar();

  /** `transport`: how requests go out (default the global fetch; `fetchTrusting(ca)` for a test CA). */
  constructor(private readonly transport: typeof fetch = fetch) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await this.transport(url, { ...init, headers, redirect: 'manual' });
    this.jar.store(response, url);
    return response;
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Follows redirects until one leads to `stopAt` (returned, not fetched) or a non-redirect response. */
  async follow(response: Response, from: string, stopAt: string): Promise<{ location?: URL; response?: Response; hops: string[] }> {
    const hops: string[] = [];
    let current = response;
    let currentUrl = from;
    for (let i = 0; i < 10; i++) {
      if (current.status < 300 || current.status >= 400) return { response: current, hops };
      const location = new URL(current.headers.get('location') ?? '', currentUrl);
      await current.arrayBuffer();
      hops.push(location.href);
      if (location.href.startsWith(stopAt)) return { location, hops };
      currentUrl = location.href;
      current = await this.fetch(currentUrl);
    }
    throw new Error(`too many redirects: ${hops.join(' -> ')}`);
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  scopes_supported?: string[];
  claims_supported?: string[];
}


export const STRICT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'";

export function assertCspSafePage(response: Response, body: string): void {
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(response.headers.get('content-security-policy'), STRICT_CSP);
  assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
  assert.doesNotMatch(body, /<style/i, 'no inline style element');
  assert.doesNotMatch(body, /\sstyle=/i, 'no style attributes');
  assert.doesNotMatch(body, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(body, /https?:\/\/(?!127\.0\.0\.1)/, 'nothing from a third party');
}

export interface IdpServer {
  server: Server;
  idp: DevIdp;
  origin: string;
  issuer: string;
  apiResource: string;
  redirectUri: string;
  discovery: Discovery;
  close(): Promise<void>;
}

/** The dev IdP mounted under /idp, with the demo's client registered on this server's origin. */
export async function startIdpServer(options: { lockout?: LockoutOptions } = {}): Promise<IdpServer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/idp`;
  const apiResource = `${origin}/api`;
  const redirectUri = `${origin}/watch`;
  const idp = await createDevIdp({
    issuer,
    apiResource,
    clients: [
      {
        client_id: CLIENT_ID,
        redirect_uris: [redirectUri, `${origin}/audit`],
        post_logout_redirect_uris: [`${origin}/`],
      },
    ],
    lockout: options.lockout,
  });
  handler = (req, res) => {
    if (req.url?.startsWith(idp.mountPath)) return idp.handle(req, res);
    res.statusCode = 404;
    res.end('demo page');
  };
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  const discovery = (await response.json()) as Discovery;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { server, idp, origin, issuer, apiResource, redirectUri, discovery, close };
}

export function authorizeUrl(discovery: Discovery, params: Record<string, string>): string {
  const url = new URL(discovery.authorization_endpoint);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/** Starts authorization code + PKCE for the demo client; the response is the IdP's first answer. */
export async function startAuthorization(env: Pick<IdpServer, 'discovery' | 'redirectUri'>, browser: Browser, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const nonce = randomBytes(8).toString('hex');
  const url = authorizeUrl(env.discovery, {
    client_id: CLIENT_ID,
    redirect_uri: env.redirectUri,
    response_type: 'code',
    scope: SCOPE,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  const response = await browser.fetch(url);
  return { response, url, verifier, state, nonce };
}
