/**
 * The dev IdP's oidc-provider configuration: the first-party clients, scopes and claims, JWT
 * access tokens for the Veil API (resource indicators), PKCE required, token lifetimes and
 * refresh-token rotation, cookies kept under the mount path, the ES256 signing key, and the pages
 * oidc-provider itself renders (errors, sign-out). The sign-in interaction lives in
 * `interactions.ts`.
 */
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import {
  errors as oidcErrors,
  type Account,
  type AccessTokenLike,
  type Client,
  type Configuration,
  type ErrorOut,
  type Interaction,
  type KoaContextWithOIDC,
  type ResourceServerInfo,
} from 'oidc-provider';
import { errorPage, logoutPage, logoutSuccessPage } from './pages.js';
import { findDevUser, type DevUser } from './users.js';

export interface DevIdpClient {
  client_id: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** Page origins on which any URI is also a valid redirect and post-logout target (a host page's path is not known in advance). */
  redirect_origins?: readonly string[];
}

/** Whether `uri` lies on one of the client's `redirect_origins`. */
export function onRedirectOrigin(clients: readonly DevIdpClient[]): (clientId: string, uri: string) => boolean {
  const origins = new Map(clients.map((client) => [client.client_id, new Set(client.redirect_origins ?? [])]));
  return (clientId, uri) => origins.get(clientId)?.has(originOf(uri)) ?? false;
}

/** The origin of a URI, or '' for something that is not one. */
function originOf(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return '';
  }
}

/** What the configuration is built from; `createDevIdp` derives it from its options. */
export interface IdpSettings {
  issuer: string;
  /** The issuer's path, where the IdP is mounted, e.g. `/idp`. */
  mountPath: string;
  assetsPath: string;
  apiResource: string;
  accessTokenTTL: number;
  clients: DevIdpClient[];
  /** Client ids that are granted what they ask for without a consent prompt. */
  firstParty: ReadonlySet<string>;
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

export interface SigningKey {
  privateJwk: Record<string, unknown>;
  publicJwk: JsonWebKey & { kid: string };
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const privateJwk = { ...jwk, kid, alg: 'ES256', use: 'sig' };
  const { kty, crv, x, y } = jwk;
  const publicJwk = { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } as JsonWebKey & { kid: string };
  return { privateJwk, publicJwk };
}

/** `<form id="op.logoutForm" method="post" action="…"><input type="hidden" name="xsrf" value="…"/></form>` → parts. */
function parseLogoutForm(form: string): { action: string; xsrf: string } | undefined {
  const action = /\baction="([^"]*)"/.exec(form)?.[1];
  const xsrf = /\bname="xsrf"\s+value="([^"]*)"/.exec(form)?.[1];
  return action !== undefined && xsrf !== undefined ? { action, xsrf } : undefined;
}

export function providerConfiguration(settings: IdpSettings, signing: SigningKey): Configuration {
  const { mountPath, assetsPath, apiResource, accessTokenTTL, firstParty } = settings;
  const redirectOrigin = onRedirectOrigin(settings.clients);
  return {
    clients: settings.clients.map((client) => ({
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
      return (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin) || redirectOrigin(client.clientId, origin);
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
      const { client, session, result, account, params, provider } = ctx.oidc;
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
}
