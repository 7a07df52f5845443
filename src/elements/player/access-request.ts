/**
 * The player's "Request access" part of a `PLAYBACK_NOT_GRANTED` denial: a button that asks the
 * video's owner for access (after a cancelable `veil-request-access`, so a host can route the
 * request its own way), then says what happened. The service answers only `pending` or `granted`
 * — nothing about the video — so nothing about it is shown either.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { VeilClient } from '../../api/client.js';
import type { VeilStringKey } from '../../i18n/player.js';
import { emitVeilError, emitVeilEvent } from '../../internal/emit.js';
import { VeilError } from '../../protocol/errors.js';

type RequestState = { videoId: string; status: 'sending' | 'pending' | 'granted' };

export interface AccessRequestHost extends HTMLElement {
  readonly video: string;
  requestUpdate(): void;
}

export class AccessRequest {
  #state?: RequestState;

  constructor(
    private readonly host: AccessRequestHost,
    private readonly t: (key: VeilStringKey) => string,
  ) {}

  /** The button (or the outcome) for the current video; `client` is the signed-in viewer's. */
  template(client: VeilClient | undefined): TemplateResult | typeof nothing {
    const state = this.#state?.videoId === this.host.video ? this.#state : undefined;
    if (state?.status === 'pending') return html`<span class="access-request">${this.t('accessRequested')}</span>`;
    if (state?.status === 'granted') return html`<span class="access-request">${this.t('accessGranted')}</span>`;
    const sending = state?.status === 'sending';
    return html`<button type="button" part="request-access" ?disabled=${!client || sending} @click=${() => client && void this.#request(client)}>
      ${this.t(sending ? 'requestingAccess' : 'requestAccess')}
    </button>`;
  }

  async #request(client: VeilClient): Promise<void> {
    const videoId = this.host.video;
    if (!emitVeilEvent(this.host, 'veil-request-access', { videoId }, { cancelable: true })) return;
    this.#set({ videoId, status: 'sending' });
    try {
      const { status } = await client.requestAccess(videoId);
      this.#set({ videoId, status });
      emitVeilEvent(this.host, 'veil-access-requested', { videoId, status });
    } catch (error) {
      this.#set(undefined);
      emitVeilError(this.host, error instanceof VeilError ? error : new VeilError('NETWORK_ERROR', { cause: error }));
    }
  }

  #set(state: RequestState | undefined): void {
    this.#state = state;
    this.host.requestUpdate();
  }
}
