/**
 * The demo's development OpenID Provider: `oidc-provider` mounted under the issuer's path
 * (`/idp`) on the demo's own origin, with JWT access tokens (RFC 9068, `typ: at+jwt`, ES256) for
 * the Veil API resource, `org`/`groups` claims, PKCE (S256) required, refresh tokens rotated, and
 * its own CSP-safe sign-in pages for the dev users.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, {
  errors as oidcErrors,
  type Account,
  type AccessTokenLike,
  type Client,
  type ErrorOut,
  type Grant,
  type Interaction,
  type KoaContextWithOIDC,
  type ResourceServerInfo,
} from 'oidc-provider';
import { FORM_POST_JS, IDP_CSS } from './assets.js';
import { html, IDP_CSP, idpCsp } from './html.js';
import { errorPage, loginPage, logoutPage, logoutSuccessPage, messagePage } from './pages.js';
import { authenticate, findDevUser, type DevUser } from './users.js';

export { DEV_USERS, DEV_PASSWORD, type DevUser } from './users.js';

export interface DevIdpClient {
  client_id: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** Page origins on which any URI is also a valid redirect and post-logout target (the host page's own path is not known in advance). */
  redirect_origins?: readonly string[];
}

export interface DevIdpOptions {
  /** e.g. `http://127.0.0.1:8080/idp`; its path is where the IdP is mounted. */
  issuer: string;
  /** The Veil API's resource indicator, e.g. `http://127.0.0.1:8080/api` (the access-token audience). */
  apiResource: string;
  /** First-party public clients (PKCE, no secret); consent is granted for them automatically. */
  clients: DevIdpClient[];
  /** Access-token lifetime in seconds; default 600. */
  accessTokenTtlSeconds?: number;
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

/** Scopes the dev IdP knows and the ID-token / userinfo claims each one releases. */
const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  org: ['org', 'groups'],
};
const OIDC_SCOPES = new Set(['openid', 'offline_access', ...Object.keys(CLAIMS)]);
/** The scope the Veil API (resource server) understands. */
const API_SCOPE = 'org';
const MAX_FORM_BYTES = 16 * 1024;
const REFRESH_TOKEN_TTL = 12 * 60 * 60;

function accountFor(user: DevUser): Account {
  return {
    accountId: user.sub,
    claims: () => ({
      sub: user.sub,
      email: user.email,
      email_verified: true,
      name: user.name,
      org: user.org,
      groups: [...user.groups],
    }),
  };
}

async function generateSigningKey(): Promise<{ privateJwk: Record<string, unknown>; publicJwk: JsonWebKey & { kid: string } }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const privateJwk = { ...jwk, kid, alg: 'ES256', use: 'sig' };
  const { kty, crv, x, y } = jwk;
  const publicJwk = { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } as JsonWebKey & { kid: string };
  return { privateJwk, publicJwk };
}

class FormError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FormError(415, 'Expected a form submission (application/x-www-form-urlencoded).');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new FormError(413, 'The form submission is too large.');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  res.end(body);
}

function sendHtml(res: ServerResponse, status: number, body: string, csp = IDP_CSP): void {
  send(res, status, 'text/html; charset=utf-8', body, {
    'content-security-policy': csp,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
}

/** `<form id="op.logoutForm" method="post" action="…"><input type="hidden" name="xsrf" value="…"/></form>` → parts. */
function parseLogoutForm(form: string): { action: string; xsrf: string } | undefined {
  const action = /\baction="([^"]*)"/.exec(form)?.[1];
  const xsrf = /\bname="xsrf"\s+value="([^"]*)"/.exec(form)?.[1];
  return action !== undefined && xsrf !== undefined ? { action, xsrf } : undefined;
}

export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const issuerUrl = new URL(options.issuer);
  const issuer = issuerUrl.href.replace(/\/$/, '');
  const mountPath = issuerUrl.pathname.replace(/\/$/, '');
  const assetsPath = `${mountPath}/assets`;
  const apiResource = options.apiResource;
  const accessTokenTTL = options.accessTokenTtlSeconds ?? 600;
  const firstParty = new Set(options.clients.map((client) => client.client_id));
  const clientNames = new Map(options.clients.map((client) => [client.client_id, client.client_id]));

  const signing = await generateSigningKey();
  const redirectOrigins = new Map(options.clients.map((client) => [client.client_id, new Set(client.redirect_origins ?? [])]));
  const onRedirectOrigin = (client: Client, uri: string) => redirectOrigins.get(client.clientId)?.has(originOf(uri)) ?? false;
  // Pages with a form whose post ends in a redirect to a client (sign-in, sign-out).
  const formCsp = idpCsp([...new Set(options.clients.flatMap((client) => client.redirect_origins ?? []))]);

  // The callbacks below run per request, after `provider` (declared further down) exists.
  const configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.client_id,
      redirect_uris: [...client.redirect_uris],
      post_logout_redirect_uris: [...client.post_logout_redirect_uris],
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    })),
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'ES256',
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    jwks: { keys: [signing.privateJwk] },
    // Cross-origin calls (token, end-session) only from origins the client registered redirects on.
    clientBasedCORS(_ctx: unknown, origin: string, client: Client) {
      return (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin) || onRedirectOrigin(client, origin);
    },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: { session: 'veil_idp_session', interaction: 'veil_idp_interaction', resume: 'veil_idp_resume' },
      // The IdP shares its origin with the demo: keep its session cookie under the mount path.
      long: { httpOnly: true, sameSite: 'lax', path: mountPath || '/' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: [...OIDC_SCOPES],
    claims: CLAIMS,
    // Scope claims go into the ID token too: the browser client does not call userinfo.
    conformIdTokenClaims: false,
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      authorizationSigningAlgValues: ['ES256'],
      introspectionSigningAlgValues: ['ES256'],
    },
    findAccount: (_ctx: unknown, sub: string): Account | undefined => {
      const user = findDevUser(sub);
      return user ? accountFor(user) : undefined;
    },
    extraTokenClaims: (_ctx: unknown, token: AccessTokenLike): Record<string, unknown> | undefined => {
      const user = token.accountId ? findDevUser(token.accountId) : undefined;
      if (!user) return undefined;
      return { org: user.org, groups: [...user.groups], email: user.email, name: user.name };
    },
    // oidc-provider drops `offline_access` unless the request also says `prompt=consent` (OIDC
    // Core 11), which oidc-client-ts does not send: the first-party public clients get a
    // (rotating, session-bound) refresh token with every code exchange instead.
    issueRefreshToken: (_ctx: unknown, client: { clientId: string; grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token') && firstParty.has(client.clientId),
    // Every use of a refresh token returns a new one and consumes the old one.
    rotateRefreshToken: () => true,
    loadExistingGrant: async (ctx: KoaContextWithOIDC & { oidc: { account?: { accountId: string } } }) => {
      const { client, session, result, account, params } = ctx.oidc;
      if (!client) return undefined;
      const grantId = result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
      let grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!firstParty.has(client.clientId) || !account) return grant;
      // First-party demo client: grant what it asks for (within what the IdP knows), never prompt.
      if (!grant || grant.accountId !== account.accountId) {
        grant = new provider.Grant({ clientId: client.clientId, accountId: account.accountId });
      }
      const requested = String(params?.scope ?? '').split(' ').filter(Boolean);
      const oidcScopes = requested.filter((scope) => OIDC_SCOPES.has(scope));
      if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
      grant.addResourceScope(apiResource, API_SCOPE);
      await grant.save();
      return grant;
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      Session: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
      RefreshToken: (
        ctx: { oidc?: { entities?: { RotatedRefreshToken?: { remainingTTL: number } } } } | undefined,
        token: { isSenderConstrained(): boolean },
      ) => {
        // A rotated refresh token inherits what is left of its predecessor: rotation never
        // extends a public client's session beyond REFRESH_TOKEN_TTL.
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
        if (rotated && !token.isSenderConstrained()) return Math.max(1, rotated.remainingTTL);
        return REFRESH_TOKEN_TTL;
      },
    },
    interactions: {
      url: (_ctx: unknown, interaction: Interaction) => `${mountPath}/interaction/${interaction.uid}`,
    },
    renderError: (ctx: KoaContextWithOIDC, out: ErrorOut) => {
      ctx.type = 'html';
      ctx.body = errorPage(assetsPath, { error: out.error, description: out.error_description });
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // oidc-client-ts sends no `resource`: every authorization and token request is for the API.
        defaultResource: () => apiResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string): ResourceServerInfo => {
          if (resourceIndicator !== apiResource) throw new oidcErrors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: apiResource,
            accessTokenFormat: 'jwt',
            accessTokenTTL,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          const parts = parseLogoutForm(form);
          if (!parts) throw new Error('unexpected logout form from oidc-provider');
          ctx.type = 'html';
          ctx.body = logoutPage({ assetsPath, action: parts.action, xsrf: parts.xsrf, host: ctx.host });
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          const client = ctx.oidc.client;
          ctx.type = 'html';
          ctx.body = logoutSuccessPage(assetsPath, client ? (client.clientName ?? client.clientId) : undefined);
        },
      },
    },
  };

  const provider = new Provider(issuer, configuration);
  // oidc-provider matches redirect URIs exactly; pages on a client's redirect origins may use any path.
  const clientProto = provider.Client.prototype;
  const { redirectUriAllowed, postLogoutRedirectUriAllowed } = clientProto;
  clientProto.redirectUriAllowed = function (this: Client, uri: string) {
    return redirectUriAllowed.call(this, uri) || onRedirectOrigin(this, uri);
  };
  clientProto.postLogoutRedirectUriAllowed = function (this: Client, uri: string) {
    return postLogoutRedirectUriAllowed.call(this, uri) || onRedirectOrigin(this, uri);
  };

  provider.on('server_error', (_ctx, error) => console.error('[dev-idp] server_error', error));

  // Every HTML page oidc-provider renders gets the strict CSP. Its form_post page (response_mode
  // form_post, end-session without a session) carries an inline auto-submit script: swap it for
  // the same script served from the assets path, so nothing inline is needed.
  provider.use(async (ctx, next) => {
    await next();
    const type = ctx.response.get('content-type');
    if (typeof ctx.body === 'string' && /^text\/html/i.test(type)) {
      let body = ctx.body;
      body = body.replace(
        /<script>[^<]*document\.forms\[0\]\.submit\(\)[^<]*<\/script>/g,
        `<script src="${assetsPath}/form-post.js"></script>`,
      );
      ctx.body = body;
      ctx.set('content-security-policy', formCsp);
      ctx.set('referrer-policy', 'no-referrer');
    }
  });

  const callback = provider.callback();

  async function autoConsent(interaction: Interaction): Promise<string> {
    const accountId = interaction.session?.accountId;
    const clientId = interaction.params.client_id;
    if (!accountId || !clientId) throw new Error('consent without a session');
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    let grant: Grant | undefined = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
    grant ??= new provider.Grant({ accountId, clientId });
    if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    return grant.save();
  }

  async function loadInteraction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<Interaction | undefined> {
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (error) {
      if (error instanceof oidcErrors.SessionNotFound) {
        sendHtml(
          res,
          400,
          messagePage(assetsPath, 'Sign-in expired', html`<p>This sign-in page has expired. Go back to the application and sign in again.</p>`),
        );
        return undefined;
      }
      throw error;
    }
    if (interaction.uid !== uid) {
      sendHtml(res, 400, errorPage(assetsPath, { error: 'invalid_request', description: 'interaction mismatch' }));
      return undefined;
    }
    return interaction;
  }

  function renderLogin(res: ServerResponse, interaction: Interaction, status: number, extra: { login?: string; error?: string } = {}): void {
    const base = `${mountPath}/interaction/${encodeURIComponent(interaction.uid)}`;
    const clientId = interaction.params.client_id ?? '';
    sendHtml(
      res,
      status,
      loginPage({
        assetsPath,
        action: `${base}/login`,
        abortAction: `${base}/abort`,
        clientName: clientNames.get(clientId) ?? clientId,
        ...extra,
      }),
      formCsp,
    );
  }

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/.exec(rest);
    if (!match) return notFound(res);
    const uid = match[1]!;
    const action = match[2];

    if (!action) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      const interaction = await loadInteraction(req, res, uid);
      if (!interaction) return;
      switch (interaction.prompt.name) {
        case 'login':
          return renderLogin(res, interaction, 200, { login: stringParam(interaction.params.login_hint) });
        case 'consent': {
          const clientId = interaction.params.client_id ?? '';
          if (!firstParty.has(clientId)) {
            sendHtml(res, 403, errorPage(assetsPath, { error: 'access_denied', description: 'unknown client' }));
            return;
          }
          const grantId = await autoConsent(interaction);
          await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
          return;
        }
        default:
          sendHtml(res, 400, errorPage(assetsPath, { error: 'invalid_request', description: `unsupported prompt ${interaction.prompt.name}` }));
          return;
      }
    }

    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (error) {
      if (error instanceof FormError) {
        sendHtml(res, error.status, errorPage(assetsPath, { error: 'invalid_request', description: error.message }));
        return;
      }
      throw error;
    }
    const interaction = await loadInteraction(req, res, uid);
    if (!interaction) return;

    if (action === '/abort') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted the sign-in' },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (interaction.prompt.name !== 'login') {
      sendHtml(res, 400, errorPage(assetsPath, { error: 'invalid_request', description: 'no sign-in is pending' }));
      return;
    }
    const login = form.get('login') ?? '';
    const password = form.get('password') ?? '';
    const user = authenticate(login, password);
    if (!user) {
      renderLogin(res, interaction, 401, { login, error: 'Incorrect email or password.' });
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub, remember: true } },
      { mergeWithLastSubmission: false },
    );
  }

  function handleAsset(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    const headers = { 'cache-control': 'no-cache' };
    if (name === 'idp.css') return send(res, 200, 'text/css; charset=utf-8', IDP_CSS, headers);
    if (name === 'form-post.js') return send(res, 200, 'text/javascript; charset=utf-8', FORM_POST_JS, headers);
    return notFound(res);
  }

  function notFound(res: ServerResponse): void {
    sendHtml(res, 404, errorPage(assetsPath, { error: 'not_found' }));
  }

  function methodNotAllowed(res: ServerResponse, allow: string): void {
    res.setHeader('allow', allow);
    sendHtml(res, 405, errorPage(assetsPath, { error: 'method_not_allowed' }));
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const pathname = new URL(url, 'http://idp.invalid').pathname;
    if (pathname !== mountPath && !pathname.startsWith(`${mountPath}/`)) return notFound(res);
    const rest = pathname.slice(mountPath.length) || '/';

    if (rest.startsWith('/interaction/')) return handleInteraction(req, res, rest);
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

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The origin of a URI, or '' for something that is not one. */
function originOf(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return '';
  }
}
