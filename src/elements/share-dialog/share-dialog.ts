import { consume } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { errorMessage } from '../../i18n/errors.js';
import { languageOf } from '../../i18n/locale.js';
import { sessionContext } from '../../identity/context.js';
import type { VeilSessionState } from '../../identity/types.js';
import { VeilError } from '../../protocol/errors.js';
import type { AccessChange, AccessRequestEntry, DirectoryEntry, GeneralAccess, GrantRole, GrantSummary, Principal } from '../../protocol/sharing.js';
import type { GrantsController } from '../../sharing/grants-controller.js';
import { emitVeilError, emitVeilEvent } from '../../internal/emit.js';
import type { ShareDialogView } from './share-dialog-view.js';
import { shareDialogStyles } from './share-dialog.styles.js';

/**
 * @summary Shares a video with people and groups of the viewer's organisation — never with the
 * public: there is no link, password or "anyone" option. The JS API below is the one its UI uses;
 * it is available as soon as the element is defined, and loads the rest of the dialog on first use.
 *
 * Inside `<veil-session>`, which provides the viewer's identity and the API. The dialog is a native
 * `<dialog>` opened with `showModal()` (focus moves in and returns to the opener on close, the page
 * does not scroll, Escape closes). Keyboard: in the people picker ↓/↑ move through the results,
 * Enter adds the highlighted one, Escape closes the list (a second Escape closes the dialog); Tab
 * moves through the grants' role, expiry and Remove controls, the general-access radios (arrow
 * keys), Cancel and Save.
 *
 * @fires veil-share-change - The service saved a change. `detail: { changes, grants, generalAccess }`.
 * @fires veil-request-save - The viewer pressed Save; cancelable (the host may veto). `detail: { changes }`.
 * @fires veil-request-close - The viewer asked to close (Cancel, Escape); cancelable. `detail: {}`.
 * @fires veil-error - Loading or saving failed. `detail` is a `VeilError`.
 *
 * @csspart dialog - The `<dialog>`.
 * @csspart picker - The people picker (combobox and its listbox).
 * @csspart option - One search result.
 * @csspart grant - One row of the people and groups with access.
 * @csspart request - One pending access request (Approve / Deny).
 * @csspart general-access - The general access radio group.
 * @csspart actions - The Cancel and Save buttons.
 * @csspart message - Why nothing can be shared here (e.g. the viewer may not share this video).
 */
export class VeilShareDialog extends LitElement {
  static override styles = shareDialogStyles;

  /** Id of the video whose access is shown and changed. */
  @property() video = '';
  /** Whether the dialog is shown (as a modal). Reflected. */
  @property({ type: Boolean, reflect: true }) open = false;

  @consume({ context: sessionContext, subscribe: true })
  @state()
  protected session: VeilSessionState | undefined;

  /** Why the access document could not be loaded (shown instead of the dialog). */
  @state() protected error: VeilError | undefined;

  /**
   * Resolves once the video's access document has loaded (then `grants` and `generalAccess` are
   * filled); rejects with the `VeilError` that prevented it (e.g. `SHARE_NOT_ALLOWED`).
   */
  readonly ready: Promise<void>;
  #settleReady!: { resolve(): void; reject(error: VeilError): void };
  #model?: Promise<GrantsController>;
  #modelReady!: (model: Promise<GrantsController>) => void;
  readonly #modelPromise = new Promise<GrantsController>((resolve) => (this.#modelReady = (model) => resolve(model)));
  #loaded?: GrantsController;
  #view?: ShareDialogView;
  #opener?: HTMLElement;
  #overflow?: string;

  constructor() {
    super();
    this.ready = new Promise<void>((resolve, reject) => (this.#settleReady = { resolve, reject }));
    this.ready.catch(() => undefined); // a rejection is also reported as `error`; not unhandled
  }

  /** The video's grants, current after each resolved call: `{ principal, role, expiresAt }`. */
  get grants(): GrantSummary[] {
    return this.#loaded?.grants ?? [];
  }

  /** `restricted` or `org`, once loaded. */
  get generalAccess(): GeneralAccess | undefined {
    return this.#loaded?.generalAccess;
  }

  /** People and groups of the organisation matching `query` (at least 2 characters; at most 8). */
  async search(query: string): Promise<Array<{ principal: Principal; displayName: string; kind: DirectoryEntry['kind'] }>> {
    const results = await (await this.#controller()).search(query);
    return results.map(({ principal, displayName, kind }) => ({ principal, displayName, kind }));
  }

  /** Gives `principal` (`user:<sub>` or `group:<id>`) a role, optionally until `expiresAt`. */
  grant(principal: Principal, role: GrantRole, options: { expiresAt?: number | Date | null } = {}): Promise<void> {
    return this.#saving((model) => model.grant(principal, role, options), [{ op: 'grant', principal, role }]);
  }

  revoke(principal: Principal): Promise<void> {
    return this.#saving((model) => model.revoke(principal), [{ op: 'revoke', principal }]);
  }

  setGeneralAccess(value: GeneralAccess): Promise<void> {
    return this.#saving((model) => model.setGeneralAccess(value), [{ op: 'general-access', value }]);
  }

  /** Members asking for access, oldest first, once loaded: `{ principal, displayName, kind, email, requestedAt }`. */
  get requests(): AccessRequestEntry[] {
    return this.#loaded?.requests ?? [];
  }

  /** Answers `principal`'s pending request with a grant of `role`, optionally until `expiresAt`. */
  approveRequest(principal: Principal, role: GrantRole = 'viewer', options: { expiresAt?: number | Date | null } = {}): Promise<void> {
    return this.#saving((model) => model.approveRequest(principal, role, options), [{ op: 'approve', principal, role }]);
  }

  /** Turns `principal`'s pending request down (they may ask again later). */
  denyRequest(principal: Principal): Promise<void> {
    return this.#saving((model) => model.denyRequest(principal), [{ op: 'deny', principal }]);
  }

  /** Opens the dialog. */
  show(): void {
    this.open = true;
  }

  /** Closes the dialog (without asking: `veil-request-close` is for the viewer's own requests). */
  close(): void {
    this.open = false;
  }

  // ---- what the view calls -----------------------------------------------------------------

  /** The viewer pressed Save: `veil-request-save` (vetoable), then one batch of the staged edits. */
  async #requestSave(): Promise<boolean> {
    const model = await this.#controller();
    const changes = model.stagedChanges;
    if (changes.length === 0) return true;
    if (!emitVeilEvent(this, 'veil-request-save', { changes }, { cancelable: true })) return false;
    await this.#saving(() => model.commit(), changes);
    return true;
  }

  /** The viewer asked to close (Cancel, Escape): `veil-request-close` (vetoable); staged edits are dropped. */
  #requestClose(): void {
    if (!emitVeilEvent(this, 'veil-request-close', {}, { cancelable: true })) return;
    this.#loaded?.discard();
    this.open = false;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues): void {
    if ((changed.has('session') || changed.has('video')) && !this.#model && this.video && this.session) {
      if (this.session.status === 'signed-in') this.#start();
      else if (this.session.status === 'error' && this.session.error) this.#fail(this.session.error);
    }
  }

  protected override render() {
    if (this.error) return html`<p part="message" role="alert">${errorMessage(languageOf(this), this.error)}</p>`;
    if (!this.open || !this.#view) return nothing;
    return this.#view.render();
  }

  protected override updated(): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (this.open && dialog && !dialog.open) {
      this.#opener = deepActiveElement();
      this.#overflow = document.documentElement.style.overflow;
      document.documentElement.style.overflow = 'hidden';
      dialog.showModal();
      this.#view?.opened();
    } else if (!this.open && this.#opener !== undefined) {
      document.documentElement.style.overflow = this.#overflow ?? '';
      this.#opener.focus?.();
      this.#opener = undefined;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#opener !== undefined) document.documentElement.style.overflow = this.#overflow ?? '';
  }

  #start(): void {
    this.#model = import('../../sharing/grants-controller.js').then(
      ({ GrantsController }) => new GrantsController({ videoId: () => this.video, session: () => this.session, changed: () => this.requestUpdate() }),
    );
    this.#modelReady(this.#model);
    void this.#model
      .then(async (model) => {
        await model.load();
        // Only a viewer who may share downloads the dialog's UI.
        const { ShareDialogView } = await import('./share-dialog-view.js');
        this.#view = new ShareDialogView(
          { requestUpdate: () => this.requestUpdate(), requestSave: () => this.#requestSave(), requestClose: () => this.#requestClose(), renderRoot: () => this.renderRoot, lang: () => languageOf(this) },
          model,
        );
        this.#loaded = model;
        this.requestUpdate();
        this.#settleReady.resolve();
      })
      .catch((error: unknown) => this.#fail(error instanceof VeilError ? error : new VeilError('SERVER_ERROR', { cause: error })));
  }

  #fail(error: VeilError): void {
    this.error = error;
    this.#settleReady.reject(error);
    emitVeilError(this, error);
  }

  /** The model, once the viewer is signed in (calls made earlier wait for the sign-in). */
  #controller(): Promise<GrantsController> {
    return this.#modelPromise;
  }

  async #saving(run: (model: GrantsController) => Promise<unknown>, changes: AccessChange[]): Promise<void> {
    const model = await this.#controller();
    await run(model);
    this.#loaded ??= model;
    emitVeilEvent(this, 'veil-share-change', { changes, grants: model.grants, generalAccess: model.generalAccess ?? 'restricted' });
  }
}

/** The focused element, looking into open shadow roots (the opener may live in one). */
function deepActiveElement(): HTMLElement | undefined {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : undefined;
}
