/**
 * The demo's development OpenID Provider: `oidc-provider` mounted under the issuer's path
 * (`/idp`) on the demo's own origin, with JWT access tokens (RFC 9068, `typ: at+jwt`, ES256) for
 * the Veil API resource, `org`/`groups` claims, PKCE (S256) required, refresh tokens rotated, and
 * its own CSP-safe sign-in pages for the dev users. This module mounts the parts:
 * `configuration.ts` (what oidc-provider is told), `interactions.ts` (the sign-in), `lockout.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import { FORM_POST_JS, IDP_CSS } from './assets.js';
import type { Client } from 'oidc-provider';
import { generateSigningKey, onRedirectOrigin, providerConfiguration, type DevIdpClient, type SigningKey } from './configuration.js';
import { idpCsp } from './html.js';
import { createInteractions } from './interactions.js';
import { createAccountLockout, type LockoutOptions } from './lockout.js';
import { errorPage } from './pages.js';
import { methodNotAllowed, notFound, send, sendHtml } from './respond.js';
import { DEV_ACCOUNTS, type DevAccounts } from './users.js';

export { DEV_USERS, DEV_PASSWORD, type DevUser } from './users.js';
export type { DevIdpClient } from './configuration.js';
export type { DevAccounts } from './users.js';
export type { LockoutOptions } from './lockout.js';

export interface DevIdpOptions {
  /** e.g. `http://127.0.0.1:8080/idp`; its path is where the IdP is mounted. */
  issuer: string;
  /** The Veil API's resource indicator, e.g. `http://127.0.0.1:8080/api` (the access-token audience). */
  apiResource: string;
  /** First-party public clients (PKCE, no secret); consent is granted for them automatically. */
  clients: DevIdpClient[];
  /** Access-token lifetime in seconds; default 600. */
  accessTokenTtlSeconds?: number;
  /** Account lockout after repeated wrong passwords; default 5 within 15 min lock for 15 min. */
  lockout?: LockoutOptions;
  /** Who signs in and their claims; default the dev users (`DEV_ACCOUNTS`). */
  accounts?: DevAccounts;
  /** The key it signs with (kept across restarts: signing-key-store.ts); default a new one. */
  signingKey?: SigningKey;
}

export interface DevIdp {
  /** The path prefix this IdP answers under (the issuer's path), e.g. `/idp`. */
  mountPath: string;
  /** Handles any request whose path starts with `mountPath` (the prefix is not stripped by the caller). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The public signing keys (no private members), for `createLocalJWKSet`. */
  jwks: { keys: JsonWebKey[] };
  issuer: string;
}

export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const issuerUrl = new URL(options.issuer);
  const issuer = issuerUrl.href.replace(/\/$/, '');
  const mountPath = issuerUrl.pathname.replace(/\/$/, '');
  const assetsPath = `${mountPath}/assets`;
  const firstParty = new Set(options.clients.map((client) => client.client_id));
  const signing = options.signingKey ?? (await generateSigningKey());

  const provider = new Provider(
    issuer,
    providerConfiguration(
      {
        issuer,
        mountPath,
        assetsPath,
        apiResource: options.apiResource,
        accessTokenTTL: options.accessTokenTtlSeconds ?? 600,
        clients: options.clients,
        firstParty,
        accounts: options.accounts ?? DEV_ACCOUNTS,
      },
      signing,
    ),
  );
  provider.on('server_error', (_ctx, error) => console.error('[dev-idp] server_error', error));

  // oidc-provider matches redirect URIs exactly; pages on a client's redirect origins may use any path.
  const redirectOrigin = onRedirectOrigin(options.clients);
  const clientModel = provider.Client.prototype;
  const { redirectUriAllowed, postLogoutRedirectUriAllowed } = clientModel;
  clientModel.redirectUriAllowed = function (this: Client, uri: string) {
    return redirectUriAllowed.call(this, uri) || redirectOrigin(this.clientId, uri);
  };
  clientModel.postLogoutRedirectUriAllowed = function (this: Client, uri: string) {
    return postLogoutRedirectUriAllowed.call(this, uri) || redirectOrigin(this.clientId, uri);
  };
  // Pages whose form post ends in a redirect to a client (sign-in, sign-out, form_post) may send it there.
  const formCsp = idpCsp([...new Set(options.clients.flatMap((client) => client.redirect_origins ?? []))]);

  // Every HTML page oidc-provider renders gets the strict CSP. Its form_post page (response_mode
  // form_post, end-session without a session) carries an inline auto-submit script: swap it for
  // the same script served from the assets path, so nothing inline is needed.
  provider.use(async (ctx, next) => {
    await next();
    const type = ctx.response.get('content-type');
    if (typeof ctx.body === 'string' && /^text\/html/i.test(type)) {
      ctx.body = ctx.body.replace(
        /<script>[^<]*document\.forms\[0\]\.submit\(\)[^<]*<\/script>/g,
        `<script src="${assetsPath}/form-post.js"></script>`,
      );
      ctx.set('content-security-policy', formCsp);
      ctx.set('referrer-policy', 'no-referrer');
    }
  });

  const callback = provider.callback();
  const interactions = createInteractions({ provider, mountPath, assetsPath, firstParty, formCsp, lockout: createAccountLockout(options.lockout), accounts: options.accounts ?? DEV_ACCOUNTS });

  function handleAsset(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, assetsPath, 'GET, HEAD');
    const headers = { 'cache-control': 'no-cache' };
    if (name === 'idp.css') return send(res, 200, 'text/css; charset=utf-8', IDP_CSS, headers);
    if (name === 'form-post.js') return send(res, 200, 'text/javascript; charset=utf-8', FORM_POST_JS, headers);
    return notFound(res, assetsPath);
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const pathname = new URL(url, 'http://idp.invalid').pathname;
    if (pathname !== mountPath && !pathname.startsWith(`${mountPath}/`)) return notFound(res, assetsPath);
    const rest = pathname.slice(mountPath.length) || '/';

    if (rest.startsWith('/interaction/')) return interactions(req, res, rest);
    if (rest.startsWith('/assets/')) return handleAsset(req, res, rest.slice('/assets/'.length));

    // Mounting: oidc-provider routes on the path below the mount point and derives the mount
    // path for the URLs it builds from `req.originalUrl` minus `req.url` (as express does).
    const inner = url.slice(mountPath.length);
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = inner.startsWith('/') ? inner : `/${inner}`;
    await callback(req, res);
  }

  return {
    mountPath,
    issuer,
    jwks: { keys: [signing.publicJwk] },
    handle(req, res) {
      dispatch(req, res).catch((error: unknown) => {
        console.error('[dev-idp] request failed', error);
        if (!res.headersSent) {
          sendHtml(res, 500, errorPage(assetsPath, { error: 'server_error' }));
        } else {
          res.destroy();
        }
      });
    },
  };
}
