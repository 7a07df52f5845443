import { VeilPlayer } from './player.js';

export { VeilPlayer };
// The typed `veil-*` event map (it extends HTMLElementEventMap) comes with the element's types.
export type { VeilEventMap } from '../../internal/emit.js';

if (!customElements.get('veil-player')) customElements.define('veil-player', VeilPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'veil-player': VeilPlayer;
  }
}
