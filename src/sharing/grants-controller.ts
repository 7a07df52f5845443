/**
 * The share dialog's model: a video's access document as last saved, the edits staged in the
 * dialog, and the operations of the element's JS API. Every operation is one batch saved over the
 * document's ETag; after a 412 the document is reloaded (so the next attempt applies on top of
 * the other edit, and nothing is lost) and the `SHARE_CONFLICT` is passed on.
 */
import { VeilError } from '../protocol/errors.js';
import { perimeterDenial } from '../identity/perimeter-check.js';
import type { AccessChange, AccessDocument, AccessGrant, AccessRequestEntry, DirectoryEntry, GeneralAccess, GrantRole, GrantSummary, Principal } from '../protocol/sharing.js';
import type { VeilSessionState } from '../identity/types.js';
import type { VeilClient } from '../api/client.js';

export interface GrantsControllerOptions {
  videoId(): string;
  session(): VeilSessionState | undefined;
  /** The document or the staged edits changed (the element re-renders). */
  changed(): void;
}

export class GrantsController {
  readonly #options: GrantsControllerOptions;
  #etag?: string;
  /** The access document as the service last answered it. */
  document?: AccessDocument;
  /** Edits staged in the dialog, keyed by principal (grants) or `general-access`. */
  readonly #staged = new Map<string, AccessChange>();
  /** Display entries for staged principals (from search results). */
  readonly #entries = new Map<Principal, DirectoryEntry>();

  constructor(options: GrantsControllerOptions) {
    this.#options = options;
  }

  get grants(): GrantSummary[] {
    return (this.document?.grants ?? []).map(({ principal, role, expiresAt }) => ({ principal, role, expiresAt }));
  }

  get generalAccess(): GeneralAccess | undefined {
    return this.document?.generalAccess;
  }

  /** Loads (or reloads) the access document. */
  async load(): Promise<AccessDocument> {
    const { document, etag } = await sharing(this.#client().videoAccess(this.#options.videoId()));
    this.#accept(document, etag);
    return document;
  }

  async search(query: string): Promise<DirectoryEntry[]> {
    const results = await sharing(this.#client().searchDirectory(this.#options.videoId(), query.trim()));
    for (const entry of results) this.#entries.set(entry.principal, entry);
    return results;
  }

  grant(principal: Principal, role: GrantRole, options: { expiresAt?: number | Date | null } = {}): Promise<AccessDocument> {
    const expiresAt = options.expiresAt instanceof Date ? options.expiresAt.getTime() : options.expiresAt;
    return this.save([{ op: 'grant', principal, role, ...(expiresAt === undefined ? {} : { expiresAt }) }]);
  }

  revoke(principal: Principal): Promise<AccessDocument> {
    return this.save([{ op: 'revoke', principal }]);
  }

  setGeneralAccess(value: GeneralAccess): Promise<AccessDocument> {
    return this.save([{ op: 'general-access', value }]);
  }

  /** Pending access requests as last saved (the JS API's `requests`). */
  get requests(): AccessRequestEntry[] {
    return this.document?.requests ?? [];
  }

  /** Answers a pending request with a grant (`role`, optionally until `expiresAt`). */
  approveRequest(principal: Principal, role: GrantRole, options: { expiresAt?: number | Date | null } = {}): Promise<AccessDocument> {
    const expiresAt = options.expiresAt instanceof Date ? options.expiresAt.getTime() : options.expiresAt;
    return this.save([{ op: 'approve', principal, role, ...(expiresAt === undefined ? {} : { expiresAt }) }]);
  }

  denyRequest(principal: Principal): Promise<AccessDocument> {
    return this.save([{ op: 'deny', principal }]);
  }

  /** Saves one batch over the current ETag. */
  async save(changes: readonly AccessChange[]): Promise<AccessDocument> {
    const client = this.#client();
    try {
      const { document, etag } = await sharing(client.saveVideoAccess(this.#options.videoId(), changes, this.#etag));
      this.#accept(document, etag);
      return document;
    } catch (error) {
      if (error instanceof VeilError && error.code === 'SHARE_CONFLICT') await this.load().catch(() => undefined);
      throw error;
    }
  }

  // ---- staged edits (the dialog's Save/Cancel) -------------------------------------------------

  get stagedChanges(): AccessChange[] {
    return [...this.#staged.values()];
  }

  stage(change: AccessChange, entry?: DirectoryEntry): void {
    if (entry) this.#entries.set(entry.principal, entry);
    const key = change.op === 'general-access' ? 'general-access' : change.principal;
    // A role or expiry edit of an approved requester stays an approval (it answers the request too).
    const staged = this.#staged.get(key);
    this.#staged.set(key, staged?.op === 'approve' && change.op === 'grant' ? { ...change, op: 'approve' } : change);
    this.#options.changed();
  }

  discard(): void {
    this.#staged.clear();
    this.#options.changed();
  }

  /** Saves the staged edits as one batch; they stay staged if the save fails. */
  async commit(): Promise<AccessChange[]> {
    const changes = this.stagedChanges;
    if (changes.length) await this.save(changes);
    this.#staged.clear();
    this.#options.changed();
    return changes;
  }

  /** The grants as the dialog shows them: saved ones with staged edits applied, then staged additions. */
  get shownGrants(): AccessGrant[] {
    const saved = this.document?.grants ?? [];
    const shown: AccessGrant[] = [];
    for (const grant of saved) {
      const change = this.#staged.get(grant.principal);
      if (change?.op === 'revoke') continue;
      shown.push(change?.op === 'grant' ? { ...grant, role: change.role, expiresAt: change.expiresAt ?? grant.expiresAt } : grant);
    }
    for (const change of this.#staged.values()) {
      if ((change.op !== 'grant' && change.op !== 'approve') || saved.some((grant) => grant.principal === change.principal)) continue;
      const entry = this.#entries.get(change.principal) ?? { principal: change.principal, displayName: change.principal.slice(change.principal.indexOf(':') + 1), kind: change.principal.startsWith('group:') ? 'group' : 'user' };
      shown.push({ ...entry, role: change.role, expiresAt: change.expiresAt ?? null });
    }
    return shown;
  }

  /** Pending requests the dialog still shows: those not answered by a staged approval or denial. */
  get shownRequests(): AccessRequestEntry[] {
    return this.requests.filter((request) => {
      const op = this.#staged.get(request.principal)?.op;
      return op !== 'approve' && op !== 'deny';
    });
  }

  get shownGeneralAccess(): GeneralAccess | undefined {
    const change = this.#staged.get('general-access');
    return change?.op === 'general-access' ? change.value : this.document?.generalAccess;
  }

  #accept(document: AccessDocument, etag: string): void {
    this.document = document;
    this.#etag = etag;
    this.#options.changed();
  }

  /** The API client of the signed-in viewer; outsiders are refused here, before any request (the service refuses them too). */
  #client(): VeilClient {
    const session = this.#options.session();
    if (!session || session.status !== 'signed-in' || !session.claims) throw new VeilError('SIGN_IN_REQUIRED');
    const denial = perimeterDenial(session);
    if (denial) throw denial;
    return session.client;
  }
}

/**
 * The sharing routes answer 404 to whoever may not share the video (they do not say whether it
 * exists): for the dialog that is `SHARE_NOT_ALLOWED`.
 */
async function sharing<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof VeilError && error.code === 'VIDEO_NOT_FOUND') throw new VeilError('SHARE_NOT_ALLOWED', { data: error.data });
    throw error;
  }
}
