/**
 * Identity through OpenID Connect (authorization code + PKCE S256) with oidc-client-ts, loaded
 * lazily by `<veil-session provider="oidc">` (the default). Tokens stay in sessionStorage
 * (oidc-client-ts's default), never localStorage.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { VeilError } from '../../protocol/errors.js';
import type { Viewer } from '../../protocol/viewer.js';
import type { IdentityProvider, IdentityProviderConfig, RestoredIdentity } from '../provider.js';
import { claimsOf, isCallback } from './claims.js';

interface SignInState {
  /** The URL to restore after the IdP redirects back. */
  returnTo: string;
}

/** Authorization response parameters, removed from the address bar once the sign-in completed. */
const RESPONSE_PARAMS = ['code', 'state', 'session_state', 'iss'];

export class OidcProvider implements IdentityProvider {
  readonly #users: UserManager;
  #user: User | null = null;

  constructor(config: IdentityProviderConfig) {
    this.#users = new UserManager({
      authority: config.issuer,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      post_logout_redirect_uri: config.postLogoutRedirectUri,
      response_type: 'code',
      scope: config.scope,
      // The ID token comes straight from the token endpoint (OIDC Core 3.1.3.7): its claims are
      // the viewer's verified claims; no userinfo round trip is needed.
      loadUserInfo: false,
      automaticSilentRenew: true,
      userStore: new WebStorageStateStore({ store: sessionStorage }),
      stateStore: new WebStorageStateStore({ store: sessionStorage }),
    });
  }

  get claims(): Viewer | undefined {
    return this.#user ? claimsOf(this.#user.profile as Record<string, unknown>) : undefined;
  }

  async restore(): Promise<RestoredIdentity> {
    const here = new URL(location.href);
    if (!isCallback(here)) {
      this.#user = await this.#currentUser();
      return { claims: this.claims };
    }
    let user: User;
    try {
      user = await this.#users.signinRedirectCallback(here.href);
    } catch (cause) {
      throw new VeilError('SIGN_IN_FAILED', { cause });
    }
    this.#user = user;
    for (const param of RESPONSE_PARAMS) here.searchParams.delete(param);
    return { claims: this.claims, callback: { returnTo: (user.state as SignInState | undefined)?.returnTo, cleanUrl: here.href } };
  }

  async signIn(returnTo: string): Promise<void> {
    const state: SignInState = { returnTo };
    await this.#users.signinRedirect({ state });
  }

  async signOut(): Promise<void> {
    await this.#users.signoutRedirect();
  }

  async accessToken(): Promise<string | undefined> {
    const user = await this.#currentUser();
    return user?.access_token ?? this.#user?.access_token;
  }

  onChange(listener: (claims: Viewer | undefined) => void): () => void {
    const loaded = (user: User) => {
      this.#user = user;
      listener(this.claims);
    };
    const unloaded = () => {
      this.#user = null;
      listener(undefined);
    };
    this.#users.events.addUserLoaded(loaded);
    this.#users.events.addUserUnloaded(unloaded);
    return () => {
      this.#users.events.removeUserLoaded(loaded);
      this.#users.events.removeUserUnloaded(unloaded);
    };
  }

  /** The signed-in user, refreshed with the refresh token when the access token has expired. */
  async #currentUser(): Promise<User | null> {
    const user = await this.#users.getUser();
    if (!user || !user.expired) return user;
    if (!user.refresh_token) return null;
    try {
      return await this.#users.signinSilent();
    } catch {
      await this.#users.removeUser();
      return null;
    }
  }
}
