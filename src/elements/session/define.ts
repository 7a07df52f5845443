import { VeilSession } from './session.js';

export { VeilSession };
// The typed `veil-*` event map (it extends HTMLElementEventMap) comes with the element's types.
export type { VeilEventMap } from '../../internal/emit.js';

if (!customElements.get('veil-session')) customElements.define('veil-session', VeilSession);

declare global {
  interface HTMLElementTagNameMap {
    'veil-session': VeilSession;
  }
}
