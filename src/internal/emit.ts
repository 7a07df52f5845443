/**
 * Veil DOM events: kebab-case `veil-*`, bubbling and composed so hosts can listen anywhere above.
 * `VeilEventMap` is every one of them with its `detail`; it extends the DOM's event maps, so
 * `player.addEventListener('veil-error', (event) => event.detail.code)` is typed.
 */
import type { AuditEvent } from '../protocol/audit-events.js';
import type { VeilError } from '../protocol/errors.js';
import type { Viewer } from '../protocol/viewer.js';
import type { AccessChange, GeneralAccess, GrantSummary } from '../protocol/sharing.js';
import type { WatermarkSecurityEvent } from '../watermark/types.js';

export interface VeilEventMap {
  /** Denied, failed, or misconfigured (any element; audit delivery failures on `document`). */
  'veil-error': CustomEvent<VeilError>;
  /** `<veil-session>`: the viewer is signed in. */
  'veil-signed-in': CustomEvent<{ claims: Viewer | undefined }>;
  /** `<veil-session>`: no viewer is signed in (after start-up or sign-out). */
  'veil-signed-out': CustomEvent<Record<string, never>>;
  /** An audit event was recorded (queued for delivery); not cancelable. */
  'veil-audit': CustomEvent<AuditEvent>;
  /** `<veil-player>`: the playback token was renewed (same session). */
  'veil-token-renewed': CustomEvent<{ sessionId: string; expiresAt: number }>;
  /** `<veil-player>`: the watermark was hidden, removed, covered or altered; playback is held. */
  'veil-watermark-tampered': CustomEvent<WatermarkSecurityEvent>;
  /** `<veil-player>`: the watermark is intact again. */
  'veil-watermark-restored': CustomEvent<WatermarkSecurityEvent>;
  /** `<veil-recorder>`: the recording (a recovered one too) is a ready, protected video. */
  'veil-recording-ready': CustomEvent<{ videoId: string }>;
  /** `<veil-recorder>`: the server lost the upload; it is sent again from the local chunks as a new video. */
  'veil-upload-restarted': CustomEvent<{ previousVideoId: string; code: string }>;
  /** `<veil-share-dialog>`: the service saved a change; the access after it. */
  'veil-share-change': CustomEvent<{ changes: AccessChange[]; grants: GrantSummary[]; generalAccess: GeneralAccess }>;
  /** `<veil-share-dialog>`: the viewer pressed Save; cancelable (the host may veto). */
  'veil-request-save': CustomEvent<{ changes: AccessChange[] }>;
  /** `<veil-share-dialog>`: the viewer asked to close (Cancel, Escape); cancelable. */
  'veil-request-close': CustomEvent<Record<string, never>>;
  /** `<veil-player>`: a member without access pressed "Request access"; cancelable (the host asks its own way). */
  'veil-request-access': CustomEvent<{ videoId: string }>;
  /** `<veil-player>`: the access request was filed (`pending`), or the viewer can already watch (`granted`). */
  'veil-access-requested': CustomEvent<{ videoId: string; status: 'pending' | 'granted' }>;
}

declare global {
  // Interface merging is the DOM's own extension mechanism for event maps.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends VeilEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DocumentEventMap extends VeilEventMap {}
}

export type VeilEventType = keyof VeilEventMap;
export type VeilEventDetail<K extends VeilEventType> = VeilEventMap[K]['detail'];

/** Dispatches a Veil event; with `cancelable`, false when a listener vetoed it (`preventDefault()`). */
export function emitVeilEvent<K extends VeilEventType>(target: EventTarget, type: K, detail: VeilEventDetail<K>, options: { cancelable?: boolean } = {}): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }));
}

/** `veil-error` with the `VeilError` as `detail`; also logged so integrators see the hint. */
export function emitVeilError(target: EventTarget, error: VeilError): void {
  console.warn(`[veil] ${error.code}: ${error.message} — ${error.hint}`, error.cause ?? '');
  emitVeilEvent(target, 'veil-error', error);
}
