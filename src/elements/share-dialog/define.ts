import { VeilShareDialog } from './share-dialog.js';

export { VeilShareDialog };

if (!customElements.get('veil-share-dialog')) customElements.define('veil-share-dialog', VeilShareDialog);

declare global {
  interface HTMLElementTagNameMap {
    'veil-share-dialog': VeilShareDialog;
  }
}
