/**
 * What the LTI tool stores: platform registrations (with their deployments, each belonging to one
 * Veil org) and login states. A login state is taken exactly once: `takeLogin` removes it as it
 * returns it, so a replayed launch finds nothing.
 */

export interface LtiRegistration {
  /** The platform's issuer (exact string, as in its id_tokens' `iss`). */
  issuer: string;
  /** The client id the platform gave Veil. */
  clientId: string;
  /** The platform's OIDC authorization endpoint (where the login redirects). */
  authEndpoint: string;
  /** The platform's OAuth 2 token endpoint (NRPS, client-credentials grant). */
  tokenEndpoint: string;
  /**
   * The platform's authorization server identifier, the `aud` of the tool's client assertion
   * (IMS Security Framework §4.1.1; `authorization_server` in LTI Dynamic Registration). Absent:
   * the token endpoint is the `aud`, as the spec says. Brightspace calls it "OAuth2 Audience".
   */
  authorizationServer?: string;
  /** The platform's public keys (JWKS URL). */
  jwksUrl: string;
  /** Accepted id_token algorithms; default `['RS256']`. */
  algorithms: string[];
  /** Deployment id → Veil org. */
  deployments: Record<string, string>;
}

export interface LtiLogin {
  stateHash: string;
  nonce: string;
  bindingHash: string;
  issuer: string;
  clientId: string;
  targetLinkUri: string;
  /** The platform-storage frame the login named (`lti_storage_target`), if any. */
  storageTarget: string | null;
  /** Epoch ms. */
  expiresAt: number;
}

/** An open deep-linking picker: what its single choice needs to grant and to answer the platform. */
export interface LtiDeepLink {
  /** SHA-256 of the secret the picker page holds (the secret itself is only in that page). */
  idHash: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  org: string;
  contextId: string;
  /** The directory user (Veil `sub`) the instructor was matched to. */
  sub: string;
  returnUrl: string;
  data: string | null;
  /** Epoch ms. */
  expiresAt: number;
}

export interface LtiStore {
  /** The registration for `issuer` (and `clientId` when given; else the issuer's only one). */
  registration(issuer: string, clientId?: string): Promise<LtiRegistration | undefined>;
  /** Every registration (for `frame-ancestors` and the README's registration listing). */
  registrations(): Promise<LtiRegistration[]>;
  /** Adds or replaces a registration and its deployments, atomically. */
  putRegistration(registration: LtiRegistration): Promise<void>;
  saveLogin(login: LtiLogin): Promise<void>;
  /** The login for `stateHash` if it exists and is unexpired at `now`; it is gone afterwards either way. */
  takeLogin(stateHash: string, now: number): Promise<LtiLogin | undefined>;
  /** The login without taking it (the launch's first, unbound post). */
  peekLogin(stateHash: string, now: number): Promise<LtiLogin | undefined>;
  saveDeepLink(link: LtiDeepLink): Promise<void>;
  /** The picker for `idHash` if it exists and is unexpired; it is gone afterwards either way (single-use return). */
  takeDeepLink(idHash: string, now: number): Promise<LtiDeepLink | undefined>;
}
