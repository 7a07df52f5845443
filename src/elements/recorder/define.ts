import { VeilRecorder } from './recorder.js';

export { VeilRecorder };
// The typed `veil-*` event map (it extends HTMLElementEventMap) comes with the element's types.
export type { VeilEventMap } from '../../internal/emit.js';

if (!customElements.get('veil-recorder')) customElements.define('veil-recorder', VeilRecorder);

declare global {
  interface HTMLElementTagNameMap {
    'veil-recorder': VeilRecorder;
  }
}
