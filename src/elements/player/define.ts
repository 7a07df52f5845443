import { VeilPlayer } from './player.js';

export { VeilPlayer };

if (!customElements.get('veil-player')) customElements.define('veil-player', VeilPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'veil-player': VeilPlayer;
  }
}
