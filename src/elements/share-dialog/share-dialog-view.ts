/**
 * The dialog's UI, loaded only for a viewer who may share: the people picker (an ARIA 1.2
 * combobox whose listbox lives in the same shadow root, so `aria-controls` and
 * `aria-activedescendant` resolve), one row per grant, the general-access radio group, a polite
 * live region, Cancel and Save. Edits are staged in the model and saved as one batch.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { VeilError } from '../../protocol/errors.js';
import { DIRECTORY_MIN_QUERY, type AccessGrant, type AccessRequestEntry, type DirectoryEntry, type GrantRole } from '../../protocol/sharing.js';
import { errorMessage } from '../../i18n/errors.js';
import { format, lookup } from '../../i18n/locale.js';
import { SHARE_DIALOG_STRINGS, type ShareDialogStringKey } from '../../i18n/share-dialog.js';
import type { GrantsController } from '../../sharing/grants-controller.js';

/** What the view needs from its element. */
export interface ShareDialogViewHost {
  requestUpdate(): void;
  requestSave(): Promise<boolean>;
  requestClose(): void;
  renderRoot(): HTMLElement | DocumentFragment;
  /** The language the element speaks (its own or an ancestor's `lang`). */
  lang(): string;
}

const SEARCH_DELAY_MS = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `yyyy-mm-dd` (local) of the last day an expiry still gives access. */
function dateInputValue(expiresAt: number | null): string {
  if (expiresAt === null) return '';
  const day = new Date(expiresAt - 1);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

/** Access "until 2026-12-31" lasts through that day: it ends at the next local midnight. */
function expiryOf(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() : null;
}

export class ShareDialogView {
  /** A string in the element's language: the page's `share.<key>` override, else English. */
  readonly #t = (key: ShareDialogStringKey, params: Record<string, string | number> = {}) => format(lookup(this.host.lang(), `share.${key}`) ?? SHARE_DIALOG_STRINGS[key], params);
  #query = '';
  #results: DirectoryEntry[] = [];
  #active = -1;
  #expanded = false;
  #announcement = '';
  #error?: VeilError;
  #saving = false;
  #timer?: ReturnType<typeof setTimeout>;
  #searchSeq = 0;

  constructor(
    private readonly host: ShareDialogViewHost,
    private readonly model: GrantsController,
  ) {}

  /** Called once the dialog is shown: focus goes to the picker. */
  opened(): void {
    (this.host.renderRoot().querySelector('#people') as HTMLInputElement | null)?.focus();
  }

  render(): TemplateResult {
    const document = this.model.document!;
    const title = document.title ? this.#t('title', { title: document.title }) : this.#t('titleUntitled');
    const active = this.#expanded && this.#active >= 0 ? `option-${this.#active}` : undefined;
    return html`<dialog part="dialog" aria-labelledby="share-title" @cancel=${this.#onCancel}>
      <h2 id="share-title">${title}</h2>
      <div part="picker" class="picker">
        <label for="people">${this.#t('pickerLabel')}</label>
        <input
          id="people"
          type="text"
          role="combobox"
          autocomplete="off"
          aria-autocomplete="list"
          aria-expanded=${this.#expanded ? 'true' : 'false'}
          aria-controls="people-listbox"
          aria-activedescendant=${active ?? nothing}
          aria-describedby="people-hint"
          placeholder=${this.#t('pickerPlaceholder')}
          .value=${this.#query}
          @input=${this.#onInput}
          @keydown=${this.#onPickerKey}
        />
        <p id="people-hint" class="hint">${this.#t('pickerHint')}</p>
        <ul id="people-listbox" role="listbox" aria-label=${this.#t('listboxLabel')} ?hidden=${!this.#expanded}>
          ${this.#results.map(
            (entry, i) => html`<li
              id="option-${i}"
              part="option"
              role="option"
              aria-selected=${i === this.#active ? 'true' : 'false'}
              @pointerdown=${(event: Event) => event.preventDefault()}
              @click=${() => this.#pick(entry)}
            >
              <span class="name">${entry.displayName}</span>
              <span class="detail">${entry.kind === 'group' ? this.#t('kindGroup') : entry.email ?? ''}</span>
            </li>`,
          )}
        </ul>
      </div>
      <h3 id="with-access">${this.#t('peopleWithAccess')}</h3>
      <ul class="grants" aria-labelledby="with-access">
        <li part="grant" class="grant">
          <span class="name">${document.owner.displayName}</span><span class="detail">${this.#t('owner')}</span>
        </li>
        ${this.model.shownGrants.map((grant, i) => this.#grantRow(grant, i))}
      </ul>
      ${this.#requests()}
      ${this.#generalAccess()}
      <p class="live" role="status" aria-live="polite">${this.#announcement}</p>
      ${this.#error ? html`<p class="error" role="alert">${errorMessage(this.host.lang(), this.#error)}</p>` : nothing}
      <div part="actions" class="actions">
        <button type="button" @click=${() => this.host.requestClose()}>${this.#t('cancel')}</button>
        <!-- aria-disabled, not disabled: a disabled button would drop the keyboard focus after a save -->
        <button type="button" class="primary" aria-disabled=${this.#saving || this.model.stagedChanges.length === 0 ? 'true' : 'false'} @click=${this.#save}>${this.#t('save')}</button>
      </div>
    </dialog>`;
  }

  #grantRow(grant: AccessGrant, i: number): TemplateResult {
    const limits = this.model.document!.limits;
    const today = dateInputValue(Date.now() + 1);
    const max = limits.maxExpiryDays === null ? undefined : dateInputValue(Date.now() + limits.maxExpiryDays * DAY_MS);
    return html`<li part="grant" class="grant">
      <span class="name">${grant.displayName}</span>
      <span class="detail">${grant.kind === 'group' ? this.#t('kindGroup') : grant.email ?? ''}</span>
      <select id="role-${i}" aria-label=${this.#t('roleLabel', { name: grant.displayName })} @change=${(event: Event) => this.#stage({ op: 'grant', principal: grant.principal, role: (event.target as HTMLSelectElement).value as GrantRole, expiresAt: grant.expiresAt })}>
        <option value="viewer" ?selected=${grant.role === 'viewer'}>${this.#t('roleViewer')}</option>
        <option value="editor" ?selected=${grant.role === 'editor'}>${this.#t('roleEditor')}</option>
      </select>
      <input
        id="expiry-${i}"
        type="date"
        aria-label=${this.#t('expiryLabel', { name: grant.displayName })}
        min=${today}
        max=${max ?? nothing}
        .value=${dateInputValue(grant.expiresAt)}
        @change=${(event: Event) => this.#expiryChanged(grant, (event.target as HTMLInputElement).value)}
      />
      <button type="button" aria-label=${this.#t('removeLabel', { name: grant.displayName })} @click=${() => this.#remove(grant)}>${this.#t('remove')}</button>
    </li>`;
  }

  /**
   * A date outside today … the policy's maximum is not staged: while a year is typed digit by digit
   * the input reports "0002", "0020", "0202" as dates, and staging those would rewrite the field
   * under the viewer's fingers. A cleared field means no expiry.
   */
  #expiryChanged(grant: AccessGrant, value: string): void {
    const expiresAt = expiryOf(value);
    const { maxExpiryDays } = this.model.document!.limits;
    if (expiresAt !== null && (expiresAt <= Date.now() || (maxExpiryDays !== null && expiresAt > Date.now() + (maxExpiryDays + 1) * DAY_MS))) return;
    this.#stage({ op: 'grant', principal: grant.principal, role: grant.role, expiresAt });
  }

  /** Pending access requests: Approve (as viewer, the policy's default expiry) or Deny, saved with the rest. */
  #requests(): TemplateResult | typeof nothing {
    const requests = this.model.shownRequests;
    if (!requests.length) return nothing;
    return html`<h3 id="requests">${this.#t('requests')}</h3>
      <ul class="grants" aria-labelledby="requests">
        ${requests.map(
          (request) => html`<li part="request" class="grant">
            <span class="name">${request.displayName}</span>
            <span class="detail">${request.email ?? ''}</span>
            <button type="button" aria-label=${this.#t('approveLabel', { name: request.displayName })} @click=${() => this.#answer(request, 'approve')}>${this.#t('approve')}</button>
            <button type="button" aria-label=${this.#t('denyLabel', { name: request.displayName })} @click=${() => this.#answer(request, 'deny')}>${this.#t('deny')}</button>
          </li>`,
        )}
      </ul>`;
  }

  #answer(request: AccessRequestEntry, answer: 'approve' | 'deny'): void {
    const { principal, displayName } = request;
    if (answer === 'approve') this.#stage({ op: 'approve', principal, role: 'viewer', expiresAt: this.#defaultExpiry() }, request);
    else this.#stage({ op: 'deny', principal });
    this.#announce(this.#t(answer === 'approve' ? 'approved' : 'denied', { name: displayName }));
    (this.host.renderRoot().querySelector('#people') as HTMLInputElement | null)?.focus();
  }

  /** A new grant's expiry: the policy's default, to the end of that day (null: none). */
  #defaultExpiry(): number | null {
    const { defaultExpiryDays } = this.model.document!.limits;
    return defaultExpiryDays === null ? null : expiryOf(dateInputValue(Date.now() + defaultExpiryDays * DAY_MS));
  }

  #generalAccess(): TemplateResult {
    const { capabilities, limits } = this.model.document!;
    const value = this.model.shownGeneralAccess;
    const choose = (next: 'restricted' | 'org') => this.#stage({ op: 'general-access', value: next });
    return html`<fieldset part="general-access" class="general">
      <legend>${this.#t('generalAccess')}</legend>
      <div role="radiogroup" aria-label=${this.#t('generalAccess')}>
        <label>
          <input type="radio" name="general-access" value="restricted" aria-describedby="restricted-hint" .checked=${value === 'restricted'} @change=${() => choose('restricted')} />
          ${this.#t('restricted')}
        </label>
        <p id="restricted-hint" class="hint">${this.#t('restrictedHint')}</p>
        <label>
          <input
            type="radio"
            name="general-access"
            value="org"
            aria-describedby="org-hint"
            ?disabled=${!capabilities.setGeneralAccess || !limits.orgAccessAllowed}
            .checked=${value === 'org'}
            @change=${() => choose('org')}
          />
          ${this.#t('org')}
        </label>
        <p id="org-hint" class="hint">${limits.orgAccessAllowed ? this.#t('orgHint') : this.#t('orgNotAllowed')}</p>
      </div>
    </fieldset>`;
  }

  #announce(text: string): void {
    this.#announcement = text;
    this.host.requestUpdate();
  }

  #stage(change: Parameters<GrantsController['stage']>[0], entry?: DirectoryEntry): void {
    this.#error = undefined;
    this.model.stage(change, entry);
  }

  #onInput = (event: Event): void => {
    this.#query = (event.target as HTMLInputElement).value;
    clearTimeout(this.#timer);
    if (this.#query.trim().length < DIRECTORY_MIN_QUERY) {
      this.#results = [];
      this.#expanded = false;
      this.#active = -1;
      this.#announce(this.#query.trim() ? this.#t('typeMore') : '');
      return;
    }
    this.#timer = setTimeout(() => void this.#search(this.#query), SEARCH_DELAY_MS);
  };

  async #search(query: string): Promise<void> {
    const seq = ++this.#searchSeq;
    try {
      const results = await this.model.search(query);
      if (seq !== this.#searchSeq) return;
      this.#results = results;
      this.#expanded = results.length > 0;
      this.#active = results.length ? 0 : -1;
      this.#announce(results.length === 0 ? this.#t('noResults', { query: query.trim() }) : results.length === 1 ? this.#t('oneResult') : this.#t('results', { count: results.length }));
    } catch (error) {
      this.#showError(error);
    }
  }

  #onPickerKey = (event: KeyboardEvent): void => {
    const count = this.#results.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (!count) return;
        event.preventDefault();
        this.#expanded = true;
        this.#active = (this.#active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count;
        this.host.requestUpdate();
        break;
      case 'Enter':
        if (this.#expanded && this.#active >= 0) {
          event.preventDefault();
          this.#pick(this.#results[this.#active]!);
        }
        break;
      case 'Escape':
        // The first Escape closes the list, not the dialog.
        if (this.#expanded) {
          event.preventDefault();
          event.stopPropagation();
          this.#expanded = false;
          this.host.requestUpdate();
        }
    }
  };

  #pick(entry: DirectoryEntry): void {
    this.#stage({ op: 'grant', principal: entry.principal, role: 'viewer', expiresAt: this.#defaultExpiry() }, entry);
    this.#query = '';
    this.#results = [];
    this.#expanded = false;
    this.#active = -1;
    this.#announce(this.#t('added', { name: entry.displayName, role: this.#t('roleViewer').toLowerCase() }));
    (this.host.renderRoot().querySelector('#people') as HTMLInputElement | null)?.focus();
  }

  #remove(grant: AccessGrant): void {
    this.#stage({ op: 'revoke', principal: grant.principal });
    this.#announce(this.#t('removed', { name: grant.displayName }));
    (this.host.renderRoot().querySelector('#people') as HTMLInputElement | null)?.focus();
  }

  #onCancel = (event: Event): void => {
    // Escape on the dialog: ask the host first (veil-request-close), never close behind its back.
    event.preventDefault();
    this.host.requestClose();
  };

  #save = async (): Promise<void> => {
    if (this.#saving || this.model.stagedChanges.length === 0) return;
    this.#saving = true;
    this.#error = undefined;
    this.host.requestUpdate();
    try {
      if (await this.host.requestSave()) this.#announce(this.#t('saved'));
    } catch (error) {
      this.#showError(error);
    } finally {
      this.#saving = false;
      this.host.requestUpdate();
    }
  };

  #showError(error: unknown): void {
    this.#error = error instanceof VeilError ? error : new VeilError('SERVER_ERROR', { cause: error });
    this.host.requestUpdate();
  }
}
