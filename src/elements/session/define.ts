import { VeilSession } from './session.js';

export { VeilSession };

if (!customElements.get('veil-session')) customElements.define('veil-session', VeilSession);

declare global {
  interface HTMLElementTagNameMap {
    'veil-session': VeilSession;
  }
}
