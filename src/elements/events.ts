/**
 * Veil DOM events: kebab-case `veil-*`, bubbling and composed so hosts can listen anywhere above.
 */
import type { VeilError } from '../protocol/errors.js';

export function emitVeilEvent<T>(target: EventTarget, type: `veil-${string}`, detail: T, options: { cancelable?: boolean } = {}): boolean {
  return target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }));
}

/** `veil-error` with the `VeilError` as `detail`; also logged so integrators see the hint. */
export function emitVeilError(target: EventTarget, error: VeilError): void {
  console.warn(`[veil] ${error.code}: ${error.message} — ${error.hint}`, error.cause ?? '');
  emitVeilEvent(target, 'veil-error', error);
}
