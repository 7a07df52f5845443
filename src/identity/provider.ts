/**
 * What `<veil-session>` needs from an identity provider, whichever it is (OIDC through
 * oidc-client-ts today; msal-browser for Entra ID, an LTI launch, or a host-supplied token later).
 * The element talks only to this interface; providers are loaded lazily by name (`registry.ts`).
 */
import type { Viewer } from '../protocol/viewer.js';

/** What the element's attributes tell a provider; each provider uses what it needs. */
export interface IdentityProviderConfig {
  /** The issuer (OIDC authority, Entra tenant URL, LTI platform). */
  issuer: string;
  clientId: string;
  /** Where the provider returns the viewer after sign-in (no query). */
  redirectUri: string;
  postLogoutRedirectUri: string;
  scope: string;
  /** Base URL of the Veil API (providers whose session the service mints). */
  api: string;
}

/** What a page load found: a viewer (or none), and whether this load completed a sign-in redirect. */
export interface RestoredIdentity {
  claims: Viewer | undefined;
  /** Set when this page is the provider's callback and the sign-in just completed. */
  callback?: {
    /** The URL the viewer started signing in from (as given to `signIn`). */
    returnTo: string | undefined;
    /** This page's URL without the provider's response parameters. */
    cleanUrl: string;
  };
}

export interface IdentityProvider {
  /** Verified claims of the signed-in viewer (undefined when signed out). */
  readonly claims: Viewer | undefined;
  /** Completes a sign-in redirect when this page is the callback, else restores a stored sign-in. */
  restore(): Promise<RestoredIdentity>;
  /** Starts sign-in; the viewer comes back to `returnTo`. */
  signIn(returnTo: string): Promise<void>;
  signOut(): Promise<void>;
  /** A current access token for the Veil API (refreshed when needed), or undefined when signed out. */
  accessToken(): Promise<string | undefined>;
  /** Calls `listener` whenever the viewer changes (signed in, renewed, signed out); returns an unsubscribe. */
  onChange(listener: (claims: Viewer | undefined) => void): () => void;
}

export type IdentityProviderLoader = (config: IdentityProviderConfig) => Promise<IdentityProvider>;
