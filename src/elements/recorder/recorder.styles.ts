import { css } from 'lit';

export const recorderStyles = css`
  :host {
    display: block;
    color: var(--veil-color, inherit);
    font: var(--veil-font, 14px/1.4 system-ui, sans-serif);
  }
  .preview {
    display: block;
    width: 100%;
    aspect-ratio: 16 / 9;
    background: var(--veil-background, #000);
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
    margin: 0.5em 0;
  }
  button,
  select,
  input {
    font: inherit;
  }
  button {
    background: var(--veil-button-background, #1f2937);
    color: var(--veil-button-color, #fff);
    border: 0;
    border-radius: 4px;
    padding: 0.4em 0.9em;
    cursor: pointer;
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--veil-focus-color, #3b82f6);
    outline-offset: 2px;
  }
  progress,
  .level {
    width: 100%;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  [hidden] {
    display: none !important;
  }
`;
