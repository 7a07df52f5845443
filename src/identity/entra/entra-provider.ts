/**
 * Identity through Microsoft Entra ID with msal-browser, loaded lazily (its own chunk) only by
 * `<veil-session provider="entra">`. `issuer` is the tenant's v2.0 issuer
 * (`https://login.microsoftonline.com/{tid}/v2.0`): msal's authority is the tenant, and the
 * browser's perimeter check compares that issuer with the ID token's. Any other authority host
 * (a sovereign cloud, the dev look-alike) runs msal in `OIDC` protocol mode with that host as its
 * only known authority, so msal never calls Microsoft's instance discovery.
 *
 * Top level: redirect sign-in (the redirect URI is the redirect-bridge page, which hands the
 * response back to the page that started). Inside a frame msal refuses redirects and its plain
 * popup cannot reach a partitioned frame: the popup goes through the relay page (protocol v2).
 * Tokens in sessionStorage, renewed with the refresh token (`acquireTokenSilent`, no hidden iframe).
 * msal validates nothing: the token service verifies every token it gets.
 */
import { InteractionRequiredAuthError, PublicClientApplication, type AccountInfo, type AuthenticationResult } from '@azure/msal-browser';
import { VeilError } from '../../protocol/errors.js';
import type { Viewer } from '../../protocol/viewer.js';
import type { IdentityProvider, IdentityProviderConfig, RestoredIdentity } from '../provider.js';

const MICROSOFT_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn']);
/** Scopes msal adds itself; the API scope(s) are what `scope` names besides these. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

function framed(): boolean {
  try {
    return window.top !== window.self;
  } catch {
    return true;
  }
}

export class EntraProvider implements IdentityProvider {
  readonly #msal: PublicClientApplication;
  readonly #scopes: string[];
  readonly #ready: Promise<void>;
  #account: AccountInfo | null = null;
  readonly #listeners = new Set<(claims: Viewer | undefined) => void>();

  constructor(config: IdentityProviderConfig) {
    const issuer = new URL(config.issuer);
    const microsoft = MICROSOFT_HOSTS.has(issuer.hostname);
    const relay = new URL('entra-popup-relay.html', config.redirectUri).href;
    this.#msal = new PublicClientApplication({
      auth: {
        clientId: config.clientId,
        authority: microsoft ? config.issuer.replace(/\/v2\.0\/?$/, '') : config.issuer,
        redirectUri: config.redirectUri,
        postLogoutRedirectUri: config.postLogoutRedirectUri,
        knownAuthorities: microsoft ? [] : [issuer.host],
        protocolMode: microsoft ? 'AAD' : 'OIDC',
        popupRelayUri: relay,
        popupRelayProtocolVersion: 2,
      },
      cache: { cacheLocation: 'sessionStorage' },
    } as ConstructorParameters<typeof PublicClientApplication>[0]);
    this.#scopes = config.scope.split(/\s+/).filter((scope) => scope && !OIDC_SCOPES.has(scope));
    this.#ready = this.#msal.initialize();
  }

  get claims(): Viewer | undefined {
    return this.#account ? claimsOf(this.#account) : undefined;
  }

  async restore(): Promise<RestoredIdentity> {
    await this.#ready;
    let result: AuthenticationResult | null;
    try {
      result = await this.#msal.handleRedirectPromise();
    } catch (cause) {
      throw new VeilError('SIGN_IN_FAILED', { cause });
    }
    if (result) {
      this.#set(result.account);
      return { claims: this.claims, callback: { returnTo: result.state || undefined, cleanUrl: location.href } };
    }
    this.#set(this.#msal.getAllAccounts()[0] ?? null);
    return { claims: this.claims };
  }

  async signIn(returnTo: string): Promise<void> {
    await this.#ready;
    const request = { scopes: this.#scopes, state: returnTo, redirectStartPage: returnTo };
    try {
      if (!framed()) return await this.#msal.loginRedirect(request);
      this.#set((await this.#msal.loginPopup(request)).account);
    } catch (cause) {
      throw new VeilError('SIGN_IN_FAILED', { cause });
    }
  }

  async signOut(): Promise<void> {
    await this.#ready;
    const account = this.#account;
    this.#set(null);
    await this.#msal.clearCache(account ? { account } : undefined);
  }

  async accessToken(): Promise<string | undefined> {
    await this.#ready;
    const account = this.#account;
    if (!account) return undefined;
    try {
      return (await this.#msal.acquireTokenSilent({ scopes: this.#scopes, account })).accessToken;
    } catch (error) {
      // The refresh token is gone or refused: signed out, the session asks for a sign-in again.
      if (error instanceof InteractionRequiredAuthError) {
        this.#set(null);
        return undefined;
      }
      throw new VeilError('SIGN_IN_FAILED', { cause: error });
    }
  }

  onChange(listener: (claims: Viewer | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(account: AccountInfo | null): void {
    this.#account = account;
    if (account) this.#msal.setActiveAccount(account);
    for (const listener of this.#listeners) listener(this.claims);
  }
}

function claimsOf(account: AccountInfo): Viewer {
  const claims = (account.idTokenClaims ?? {}) as Record<string, unknown>;
  const groups = claims.groups;
  const viewer: Viewer = {
    issuer: String(claims.iss ?? ''),
    sub: String(claims.oid ?? account.localAccountId),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
  };
  if (typeof claims.preferred_username === 'string') viewer.email = claims.preferred_username;
  if (typeof claims.name === 'string') viewer.name = claims.name;
  return viewer;
}
