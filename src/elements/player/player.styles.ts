import { css } from 'lit';

export const playerStyles = css`
  :host {
    display: block;
    position: relative;
    aspect-ratio: 16 / 9;
    background: var(--veil-background, #000);
    color: var(--veil-color, #fff);
    font: var(--veil-font, 14px/1.4 system-ui, sans-serif);
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
  /*
   * The watermark: on top of everything in the player (a sibling of the video, above the message
   * and the controls), click-through, positioned and given its opacity by the overlay controller.
   * Hosts may restyle it through ::part(watermark) within what the tamper guard accepts.
   */
  .watermark {
    position: absolute;
    z-index: 2;
    left: 10%;
    top: 12%;
    max-width: 45%;
    padding: 0.2em 0.5em;
    pointer-events: none;
    user-select: none;
    overflow-wrap: anywhere;
    font-size: 1.1em;
    line-height: 1.3;
    color: rgba(255, 255, 255, 0.9);
    text-shadow: 0 0 3px #000;
    opacity: var(--veil-watermark-opacity, 0.5);
  }
  .watermark span {
    display: block;
  }
  .watermark span + span {
    font-size: 0.8em;
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
    background: rgba(0, 0, 0, 0.75);
    z-index: 1;
  }
  .message[hidden] {
    display: none;
  }
  .controls {
    position: absolute;
    left: 0;
    right: 0;
    bottom: 0;
    display: flex;
    gap: 0.5em;
    align-items: center;
    padding: 0.4em 0.6em;
    background: linear-gradient(transparent, rgba(0, 0, 0, 0.7));
    z-index: 1;
  }
  .controls[hidden] {
    display: none;
  }
  button {
    font: inherit;
    color: inherit;
    background: var(--veil-button-background, rgba(255, 255, 255, 0.15));
    border: 1px solid rgba(255, 255, 255, 0.3);
    border-radius: 4px;
    padding: 0.25em 0.6em;
    cursor: pointer;
  }
  :host(:focus-visible),
  button:focus-visible,
  input:focus-visible,
  [role='menuitemradio']:focus-visible {
    outline: 2px solid var(--veil-focus-color, #4da3ff);
    outline-offset: 2px;
  }
  :host(:focus-visible) {
    outline-offset: -2px;
  }
  button[aria-pressed='true'] {
    background: var(--veil-button-pressed-background, rgba(255, 255, 255, 0.4));
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
  .menu-wrap {
    position: relative;
  }
  .menu-button {
    white-space: nowrap;
  }
  .menu {
    position: absolute;
    right: 0;
    bottom: calc(100% + 0.4em);
    min-width: 8em;
    max-height: 14em;
    overflow-y: auto;
    padding: 0.25em 0;
    background: rgba(20, 20, 20, 0.95);
    border: 1px solid rgba(255, 255, 255, 0.3);
    border-radius: 4px;
  }
  .menu[hidden] {
    display: none;
  }
  [role='menuitemradio'] {
    padding: 0.3em 0.8em 0.3em 1.8em;
    cursor: pointer;
    white-space: nowrap;
    position: relative;
  }
  [role='menuitemradio']:hover,
  [role='menuitemradio']:focus {
    background: rgba(255, 255, 255, 0.2);
  }
  [role='menuitemradio'][aria-checked='true']::before {
    content: '✓';
    position: absolute;
    left: 0.6em;
  }
  .seek {
    flex: 1;
    min-width: 4em;
  }
  video::cue {
    font-size: 1em;
  }
  .volume {
    width: 5em;
  }
  .time {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
`;
