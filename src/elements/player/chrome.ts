/**
 * What the player draws around the control bar: the title bar (the `title` slot), the big
 * centred play button shown before the first play, and the loading/buffering indicator. All three
 * sit under the watermark (z-index 1 at most); the play button and the spinner are `aria-hidden`
 * (the control bar's Play button and the live region already say the same to assistive
 * technology, and the tab order stays the control bar's).
 */
import { html, nothing } from 'lit';
import { icons } from './icons.js';

export interface ChromeView {
  /** Before the first play of a loaded stream. */
  bigPlay: boolean;
  /** The stream is loading, or the media waits for data while it should play. */
  loading: boolean;
  /** Whether the page put anything in the `title` slot. */
  hasTitle: boolean;
  autoHidden: boolean;
}

export function renderChrome(view: ChromeView, play: () => void, titleChanged: (event: Event) => void) {
  return html`
    <div class="title ${view.autoHidden ? 'auto-hidden' : ''}" ?hidden=${!view.hasTitle}><slot name="title" @slotchange=${titleChanged}></slot></div>
    ${view.bigPlay ? html`<div class="big-play" aria-hidden="true" @click=${play}>${icons.play}</div>` : nothing}
    ${view.loading ? html`<div class="spinner" aria-hidden="true">${icons.spinner}</div>` : nothing}
  `;
}
