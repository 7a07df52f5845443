/**
 * Identity through OpenID Connect (authorization code + PKCE S256) with oidc-client-ts.
 * Tokens stay in sessionStorage (oidc-client-ts's default), never localStorage.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { VeilError } from '../protocol/errors.js';
import type { Viewer } from '../protocol/viewer.js';

export interface OidcOptions {
  authority: string;
  clientId: string;
  /** Where the IdP returns the viewer; registered exactly (no query) with the IdP. */
  redirectUri: string;
  postLogoutRedirectUri: string;
  scope: string;
}

export interface SignInState {
  /** The URL to restore after the IdP redirects back. */
  returnTo: string;
}

export class OidcIdentity {
  readonly #users: UserManager;

  constructor(options: OidcOptions) {
    this.#users = new UserManager({
      authority: options.authority,
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
      post_logout_redirect_uri: options.postLogoutRedirectUri,
      response_type: 'code',
      scope: options.scope,
      // The ID token comes straight from the token endpoint (OIDC Core 3.1.3.7): its claims are
      // the viewer's verified claims; no userinfo round trip is needed.
      loadUserInfo: false,
      automaticSilentRenew: true,
      userStore: new WebStorageStateStore({ store: sessionStorage }),
      stateStore: new WebStorageStateStore({ store: sessionStorage }),
    });
  }

  /** True when `url` is this client's redirect URI carrying an authorization response. */
  isCallback(url: URL): boolean {
    const params = url.searchParams;
    return params.has('state') && (params.has('code') || params.has('error'));
  }

  /** Completes a redirect sign-in; returns the URL the viewer started from. */
  async completeSignIn(url: string): Promise<{ user: User; returnTo: string | undefined }> {
    try {
      const user = await this.#users.signinRedirectCallback(url);
      return { user, returnTo: (user.state as SignInState | undefined)?.returnTo };
    } catch (cause) {
      throw new VeilError('SIGN_IN_FAILED', { cause });
    }
  }

  /** The signed-in user, refreshed with the refresh token when the access token has expired. */
  async currentUser(): Promise<User | null> {
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

  async signIn(returnTo: string): Promise<void> {
    const state: SignInState = { returnTo };
    await this.#users.signinRedirect({ state });
  }

  async signOut(): Promise<void> {
    await this.#users.signoutRedirect();
  }

  onUserChanged(listener: (user: User | null) => void): () => void {
    const loaded = (user: User) => listener(user);
    const unloaded = () => listener(null);
    this.#users.events.addUserLoaded(loaded);
    this.#users.events.addUserUnloaded(unloaded);
    return () => {
      this.#users.events.removeUserLoaded(loaded);
      this.#users.events.removeUserUnloaded(unloaded);
    };
  }
}

export function claimsOf(user: User): Viewer {
  const profile = user.profile as Record<string, unknown>;
  const groups = profile.groups;
  return {
    issuer: String(profile.iss),
    sub: String(profile.sub),
    org: typeof profile.org === 'string' ? profile.org : undefined,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    email: typeof profile.email === 'string' ? profile.email : undefined,
    name: typeof profile.name === 'string' ? profile.name : undefined,
  };
}
