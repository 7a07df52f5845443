import { css } from 'lit';
import { tokenStyles } from '../../internal/tokens.styles.js';

/**
 * The player's look, drawn with the shared design tokens (`--_*`, see tokens.styles.ts), in two
 * sheets: what the element shows before it may play (the video box, the message, the live region)
 * and what its lazily loaded core draws (player-core.styles.ts), adopted with the core before
 * its tamper guard takes its snapshot of the sheets.
 */
const playerSheet = css`
  :host {
    display: block;
    position: relative;
    aspect-ratio: 16 / 9;
    background: var(--_background);
    color: var(--_color);
    font: var(--_font);
    overflow: hidden;
    contain: layout paint;
  }
  :host(:fullscreen) {
    aspect-ratio: auto;
    width: 100%;
    height: 100%;
  }
  video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
  }
  video.auto-hidden {
    cursor: none;
  }
  .message {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
    gap: 0.75em;
    align-items: center;
    justify-content: center;
    padding: 1.5em;
    text-align: center;
    background: var(--_scrim);
    z-index: 1;
  }
  .message[hidden],
  .controls[hidden],
  .title[hidden],
  .menu[hidden] {
    display: none;
  }
  .message button {
    padding: 0.5em 1.2em;
    border-radius: 999px;
    background: var(--_accent);
    color: #000;
    font-weight: 600;
  }
  .message button:hover {
    filter: brightness(1.1);
  }
  button {
    font: inherit;
    color: inherit;
    border: 0;
    margin: 0;
    cursor: pointer;
  }
  :host(:focus-visible),
  button:focus-visible,
  input:focus-visible,
  [role='menuitemradio']:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  :host(:focus-visible) {
    outline-offset: -2px;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

export const playerStyles = [tokenStyles, playerSheet];

