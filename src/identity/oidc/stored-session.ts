/**
 * The default `oidc` provider's fast path: a viewer who signed in earlier in this tab is restored
 * from the user oidc-client-ts keeps in sessionStorage, without loading oidc-client-ts (18 KB gzip,
 * a chunk one module level further down) and without any network round trip — so the first
 * playback-session request (or a perimeter denial) is not kept waiting. oidc-client-ts
 * (`OidcProvider`) is loaded only for what needs it: a sign-in callback, signing in or out, an
 * access token close to expiry (it refreshes it and then keeps renewing it), or an expired one.
 *
 * The stored user was written by oidc-client-ts after it validated the sign-in response; reading
 * it back is what `UserManager.getUser()` does too (it does not validate it again either).
 */
import type { Viewer } from '../../protocol/viewer.js';
import type { IdentityProvider, IdentityProviderConfig, RestoredIdentity } from '../provider.js';
import type { OidcProvider } from './oidc-provider.js';
import { claimsOf, isCallback } from './claims.js';

/** Hand over to oidc-client-ts this long before the access token expires (its renewal starts 60 s before). */
const HANDOVER_BEFORE_EXPIRY_S = 90;

/** The fields of oidc-client-ts's stored `User` this path reads. */
interface StoredUser {
  access_token?: unknown;
  expires_at?: unknown;
  profile?: unknown;
}

interface RestoredUser {
  accessToken: string;
  /** Epoch seconds. */
  expiresAt: number;
  claims: Viewer;
}

export class StoredOidcSession implements IdentityProvider {
  readonly #config: IdentityProviderConfig;
  readonly #listeners = new Set<(claims: Viewer | undefined) => void>();
  #full?: Promise<OidcProvider>;
  #loaded?: OidcProvider;
  #handover?: ReturnType<typeof setTimeout>;
  #user?: RestoredUser;

  constructor(config: IdentityProviderConfig) {
    this.#config = config;
  }

  get claims(): Viewer | undefined {
    return this.#loaded ? this.#loaded.claims : this.#user?.claims;
  }

  async restore(): Promise<RestoredIdentity> {
    if (isCallback(new URL(location.href))) return (await this.#provider()).restore();
    const user = this.#stored();
    if (user && secondsLeft(user.expiresAt) > HANDOVER_BEFORE_EXPIRY_S) {
      this.#user = user;
      this.#scheduleHandover(user.expiresAt);
      return { claims: user.claims };
    }
    // No stored user: signed out, nothing to load until the viewer signs in. An expiring one:
    // oidc-client-ts refreshes it (or drops it).
    if (!user) return { claims: undefined };
    return (await this.#provider()).restore();
  }

  async signIn(returnTo: string): Promise<void> {
    await (await this.#provider()).signIn(returnTo);
  }

  async signOut(): Promise<void> {
    await (await this.#provider()).signOut();
  }

  async accessToken(): Promise<string | undefined> {
    const user = this.#user;
    if (user && !this.#full && secondsLeft(user.expiresAt) > HANDOVER_BEFORE_EXPIRY_S) return user.accessToken;
    return (await this.#provider()).accessToken();
  }

  onChange(listener: (claims: Viewer | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The stored user of this issuer and client, when it is well-formed. */
  #stored(): RestoredUser | undefined {
    let raw: string | null;
    try {
      raw = sessionStorage.getItem(`oidc.user:${this.#config.issuer}:${this.#config.clientId}`);
    } catch {
      return undefined; // storage blocked: oidc-client-ts would fail the same way
    }
    if (!raw) return undefined;
    try {
      const user = JSON.parse(raw) as StoredUser;
      if (typeof user.access_token !== 'string' || typeof user.expires_at !== 'number' || typeof user.profile !== 'object' || !user.profile) return undefined;
      return { accessToken: user.access_token, expiresAt: user.expires_at, claims: claimsOf(user.profile as Record<string, unknown>) };
    } catch {
      return undefined;
    }
  }

  /** Before the token expires, oidc-client-ts takes over (and renews it from then on). */
  #scheduleHandover(expiresAt: number): void {
    clearTimeout(this.#handover);
    const ms = Math.max(0, (secondsLeft(expiresAt) - HANDOVER_BEFORE_EXPIRY_S) * 1000);
    this.#handover = setTimeout(() => void this.#provider().then((provider) => provider.accessToken()).catch(() => undefined), ms);
  }

  /** oidc-client-ts, loaded once; from then on it is the source of the viewer and its tokens. */
  #provider(): Promise<OidcProvider> {
    this.#full ??= import('./oidc-provider.js').then(async ({ OidcProvider }) => {
      const provider = (this.#loaded = new OidcProvider(this.#config));
      clearTimeout(this.#handover);
      provider.onChange((claims) => {
        this.#user = undefined;
        for (const listener of this.#listeners) listener(claims);
      });
      return provider;
    });
    return this.#full;
  }
}

function secondsLeft(expiresAt: number): number {
  return expiresAt - Date.now() / 1000;
}
