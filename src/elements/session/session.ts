import { provide } from '@lit/context';
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { VeilClient } from '../../api/client.js';
import { AuditController } from '../../audit/audit-controller.js';
import { sessionContext } from '../../identity/context.js';
import type { IdentityProvider, RestoredIdentity } from '../../identity/provider.js';
import { loadIdentityProvider } from '../../identity/registry.js';
import type { SessionStatus, VeilSessionState } from '../../identity/types.js';
import { emitVeilError, emitVeilEvent } from '../../internal/emit.js';
import { VeilError } from '../../protocol/errors.js';
import type { PerimeterPolicy } from '../../protocol/perimeter.js';
import type { Viewer } from '../../protocol/viewer.js';
import { sessionStyles } from './session.styles.js';

const DEFAULT_SCOPE = 'openid profile email org offline_access';

/**
 * @summary Signs the viewer in with the organisation's identity provider (OIDC authorization code
 * + PKCE) and provides identity, perimeter and the Veil API client to every Veil element inside it.
 *
 * The identity provider is loaded lazily by the name in `provider` (`oidc`, the default, is
 * oidc-client-ts); others register with `registerIdentityProvider(name, loader)`.
 *
 * @attr {'initializing' | 'signed-out' | 'signing-in' | 'signed-in' | 'error'} status - Reflected,
 *   read-only: where sign-in is (the `status` property).
 *
 * @slot - The Veil elements (player, recorder, share dialog) that act for this viewer.
 *
 * @fires veil-signed-in - The viewer is signed in. `detail: { claims }`.
 * @fires veil-signed-out - No viewer is signed in (after start-up or sign-out).
 * @fires veil-error - Sign-in failed or the configuration is invalid. `detail` is a `VeilError`.
 * @fires veil-audit - An audit event (sign-in) was recorded. `detail` is the `AuditEvent`; not cancelable.
 */
export class VeilSession extends LitElement {
  static override styles = sessionStyles;

  /** Name of the identity provider to load: `oidc` (built in), or one added with `registerIdentityProvider`. */
  @property() provider = 'oidc';
  /** OpenID Provider issuer URL (its discovery document lives under it). Not with `tenant`. */
  @property() issuer = '';
  /**
   * Microsoft Entra ID (`provider="entra"`): the directory (tenant) id, a GUID. Sets the issuer
   * (and msal's authority) to `https://login.microsoftonline.com/{tenant}/v2.0`; only that
   * tenant's users get in. For a sovereign cloud set `issuer` instead.
   */
  @property() tenant = '';
  /** OAuth client id registered with the issuer for this page. */
  @property({ attribute: 'client-id' }) clientId = '';
  /** Base URL of the Veil API. Defaults to the page's origin. */
  @property() api = '';
  /** Perimeter: the `org` claim a viewer must carry. */
  @property() org = '';
  /** Perimeter: space-separated groups; a viewer must be in at least one. */
  @property() groups = '';
  /** Perimeter: space-separated e-mail domains a viewer's `email` must end with. */
  @property({ attribute: 'email-domains' }) emailDomains = '';
  /** Send a signed-out viewer straight to the identity provider. */
  @property({ type: Boolean, attribute: 'auto-sign-in' }) autoSignIn = false;
  /** OAuth scopes requested at sign-in. */
  @property() scope = DEFAULT_SCOPE;
  /** Redirect URI registered with the issuer. Defaults to this page's URL without query or hash. */
  @property({ attribute: 'redirect-uri' }) redirectUri = '';
  /** Where the identity provider returns the viewer after sign-out. Defaults to the page's origin. */
  @property({ attribute: 'post-logout-redirect-uri' }) postLogoutRedirectUri = '';

  @provide({ context: sessionContext })
  @state()
  protected session: VeilSessionState | undefined;

  #identity?: IdentityProvider;
  /** The issuer in use (from `issuer` or `tenant`), read once at start. */
  #issuer = '';
  /** The viewer of a sign-in callback, recorded before the page settles (and not yet published). */
  #settling?: VeilSessionState;
  readonly #audit = new AuditController(this, { viewer: () => this.#settling ?? this.session });
  #signingIn?: Promise<void>;
  #unsubscribe?: () => void;
  #client?: VeilClient;

  /** `initializing`, `signed-out`, `signing-in`, `signed-in` or `error`; reflected as the `status` attribute. */
  get status(): SessionStatus {
    return this.session?.status ?? 'initializing';
  }

  /** Verified claims of the signed-in viewer. */
  get claims(): Viewer | undefined {
    return this.session?.claims;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#publish('initializing');
    void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('session')) this.setAttribute('status', this.status);
  }

  /** Redirects to the identity provider; the viewer comes back to this page. */
  signIn(): Promise<void> {
    // One redirect per page: auto sign-in, a player and the host may all ask at once, and a second
    // redirect started while the first is under way lands the viewer on a fresh sign-in form.
    this.#signingIn ??= this.#redirectToSignIn().finally(() => (this.#signingIn = undefined));
    return this.#signingIn;
  }

  async #redirectToSignIn(): Promise<void> {
    const identity = this.#identity;
    if (!identity) return;
    this.#publish('signing-in');
    try {
      await identity.signIn(location.href);
    } catch (cause) {
      this.#fail(new VeilError('SIGN_IN_FAILED', { cause }));
    }
  }

  async signOut(): Promise<void> {
    await this.#identity?.signOut();
  }

  /**
   * A current access token for the Veil API, for the host's own calls to it (e.g. the audit read
   * API on an admin page). Rejects with `SIGN_IN_REQUIRED` when no viewer is signed in.
   */
  async getAccessToken(): Promise<string> {
    const session = this.session;
    if (!session || session.status !== 'signed-in') throw new VeilError('SIGN_IN_REQUIRED');
    return session.getAccessToken();
  }

  async #start(): Promise<void> {
    // Read the configuration at the first update, not at connection: frameworks (React through
    // `veil-video/react`, Vue, …) set properties just after they insert the element.
    await this.updateComplete;
    if (!this.isConnected) return;
    let issuer = this.issuer;
    try {
      // Entra's tenant → issuer is its own small chunk: pages without `tenant` load none of it.
      if (this.tenant) issuer = (await import('../../identity/entra/entra-tenant.js')).entraTenantIssuer(this.tenant, this.issuer);
    } catch (error) {
      this.#fail(error as VeilError);
      return;
    }
    this.#issuer = issuer;
    if (!issuer || !this.clientId) {
      this.#fail(new VeilError('CONFIG_INVALID', {
        message: '<veil-session> needs `issuer` (or `tenant`) and `client-id` attributes.',
        data: { issuer: this.issuer, clientId: this.clientId },
      }));
      return;
    }
    try {
      const identity = (this.#identity = await loadIdentityProvider(this.provider, {
        issuer,
        clientId: this.clientId,
        redirectUri: this.redirectUri || `${location.origin}${location.pathname}`,
        postLogoutRedirectUri: this.postLogoutRedirectUri || `${location.origin}/`,
        scope: this.scope,
        api: this.#api(),
      }));
      const restored = await identity.restore();
      if (restored.callback) await this.#settleCallback(restored.claims, restored.callback);
      // Subscribed only now: a sign-in completing above must not reach the players before the
      // page has settled on the URL the viewer asked for.
      this.#unsubscribe = identity.onChange((claims) => {
        if (claims) this.#publish('signed-in', claims);
        else this.#signedOut();
      });
      if (restored.claims) {
        this.#publish('signed-in', restored.claims);
        emitVeilEvent(this, 'veil-signed-in', { claims: this.claims });
      } else {
        this.#signedOut();
        if (this.autoSignIn) await this.signIn();
      }
    } catch (error) {
      this.#fail(error instanceof VeilError ? error : new VeilError('SIGN_IN_FAILED', { cause: error }));
    }
  }

  /**
   * This page is the provider's callback: record the sign-in, then settle on the page the viewer
   * started from. Until then the session stays `initializing`, so players inside it keep showing
   * `authorizing` (not an error for the callback URL's missing `?v=`).
   */
  async #settleCallback(claims: Viewer | undefined, callback: NonNullable<RestoredIdentity['callback']>): Promise<void> {
    // A completed sign-in is an audit event; it is durably queued before the page may navigate.
    this.#settling = this.#state('signed-in', claims);
    await this.#audit.record('sign-in').catch(() => undefined);
    this.#settling = undefined;
    const here = new URL(callback.cleanUrl);
    const target = callback.returnTo ? new URL(callback.returnTo, here) : undefined;
    if (target && target.origin === here.origin && target.href !== here.href) {
      // The page the viewer started from differs (another query, say): load it for real, so the
      // page is rendered for that URL. The user is in sessionStorage; the reload is instant.
      location.replace(target.href);
      return new Promise<never>(() => undefined);
    }
    // Same page: just drop the provider's response parameters from the address bar.
    history.replaceState(history.state, '', here.href);
  }

  #signedOut(): void {
    this.#publish('signed-out');
    emitVeilEvent(this, 'veil-signed-out', {});
  }

  #fail(error: VeilError): void {
    this.#publish('error', undefined, error);
    emitVeilError(this, error);
  }

  #perimeter(): PerimeterPolicy {
    const list = (value: string) => value.split(/\s+/).filter(Boolean);
    return {
      issuer: this.#issuer,
      ...(this.org ? { org: this.org } : {}),
      ...(this.groups ? { groups: list(this.groups) } : {}),
      ...(this.emailDomains ? { emailDomains: list(this.emailDomains) } : {}),
    };
  }

  #api(): string {
    return (this.api || location.origin).replace(/\/$/, '');
  }

  /** A current access token, or `SIGN_IN_REQUIRED`. */
  async #accessToken(): Promise<string> {
    const token = await this.#identity?.accessToken();
    if (!token) throw new VeilError('SIGN_IN_REQUIRED');
    return token;
  }

  /** One client per API location, shared by every state this element publishes. */
  #clientFor(api: string): VeilClient {
    if (this.#client?.api !== api) this.#client = new VeilClient({ api, accessToken: () => this.#accessToken() });
    return this.#client;
  }

  #state(status: SessionStatus, claims?: Viewer, error?: VeilError): VeilSessionState {
    const api = this.#api();
    return {
      status,
      api,
      perimeter: this.#perimeter(),
      claims,
      error,
      getAccessToken: () => this.#accessToken(),
      client: this.#clientFor(api),
      signIn: () => this.signIn(),
    };
  }

  #publish(status: SessionStatus, claims?: Viewer, error?: VeilError): void {
    this.session = this.#state(status, claims, error);
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
