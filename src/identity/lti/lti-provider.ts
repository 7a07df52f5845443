/**
 * Identity from an LTI launch, loaded lazily by `<veil-session provider="lti">`. The tool page the
 * launch served carries a Veil session token the server minted from the verified launch (in a
 * `<meta>`, read once and removed); there is no IdP redirect inside the LMS frame. The token is
 * renewed at the tool's session route before it expires, for as long as the page is open; a
 * refused renewal signs the viewer out (the course membership ended, say).
 */
import { VeilError } from '../../protocol/errors.js';
import { LTI_ROUTES, LTI_SESSION_META, type LtiSessionRenewal } from '../../protocol/lti.js';
import type { Viewer } from '../../protocol/viewer.js';
import type { IdentityProvider, IdentityProviderConfig, RestoredIdentity } from '../provider.js';

/** Renew once this share of the token's lifetime has passed (as playback tokens do). */
const RENEW_AT = 0.7;

interface Session {
  token: string;
  claims: Viewer;
  issuedAt: number;
  expiresAt: number;
}

function decodePayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/** The claims for display and the early perimeter check; the server verifies the token itself. */
function sessionOf(token: string): Session {
  let payload: Record<string, unknown>;
  try {
    payload = decodePayload(token);
  } catch (cause) {
    throw new VeilError('LTI_SESSION_INVALID', { cause });
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const claims: Viewer = { issuer: text(payload.iss) ?? '', sub: text(payload.sub) ?? '', org: text(payload.org), groups: [] };
  const name = text(payload.name);
  const email = text(payload.email);
  if (name !== undefined) claims.name = name;
  if (email !== undefined) claims.email = email;
  return { token, claims, issuedAt: Number(payload.iat) * 1000, expiresAt: Number(payload.exp) * 1000 };
}

export class LtiProvider implements IdentityProvider {
  readonly #renewUrl: string;
  #session: Session | undefined;
  #renewal: Promise<Session | undefined> | undefined;
  readonly #listeners = new Set<(claims: Viewer | undefined) => void>();

  constructor(config: IdentityProviderConfig) {
    this.#renewUrl = `${config.api.replace(/\/+$/, '')}${LTI_ROUTES.session}`;
  }

  get claims(): Viewer | undefined {
    return this.#session?.claims;
  }

  async restore(): Promise<RestoredIdentity> {
    const meta = document.querySelector<HTMLMetaElement>(`meta[name="${LTI_SESSION_META}"]`);
    if (meta?.content) this.#session = sessionOf(meta.content);
    // Read once: nothing else on the page finds the token in the DOM afterwards.
    meta?.remove();
    return { claims: this.claims };
  }

  async signIn(): Promise<void> {
    // A new session only comes from a new launch: the course page starts one when reloaded.
    throw new VeilError('LTI_SESSION_INVALID', { message: 'Reload the course page to watch this video.' });
  }

  async signOut(): Promise<void> {
    this.#set(undefined);
  }

  async accessToken(): Promise<string | undefined> {
    const session = this.#session;
    if (!session) return undefined;
    const renewAt = session.issuedAt + (session.expiresAt - session.issuedAt) * RENEW_AT;
    if (Date.now() < renewAt) return session.token;
    this.#renewal ??= this.#renew(session).finally(() => (this.#renewal = undefined));
    return (await this.#renewal)?.token;
  }

  onChange(listener: (claims: Viewer | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #renew(session: Session): Promise<Session | undefined> {
    let response: Response;
    try {
      response = await fetch(this.#renewUrl, { method: 'POST', headers: { authorization: `Bearer ${session.token}` }, credentials: 'omit' });
    } catch {
      // Offline for a moment: the current token serves until it expires.
      return Date.now() < session.expiresAt ? session : undefined;
    }
    if (!response.ok) {
      this.#set(undefined);
      return undefined;
    }
    const renewal = (await response.json()) as LtiSessionRenewal;
    const next = sessionOf(renewal.token);
    this.#set(next);
    return next;
  }

  #set(session: Session | undefined): void {
    this.#session = session;
    for (const listener of this.#listeners) listener(session?.claims);
  }
}
