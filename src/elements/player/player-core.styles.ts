import { css } from 'lit';

/**
 * What `<veil-player>`'s core draws (player-core.ts): watermark, title, big play button, spinner,
 * control bar, tooltips, sliders, seek bar, menus. Its own module, so it travels in the core's
 * chunk; the element's own sheet (player.styles.ts) comes first.
 */
export const playerCoreStyles = css`  /*
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

  /* Title bar, big play button, loading indicator. */
  .title {
    position: absolute;
    top: 0;
    left: 0;
    right: 0;
    padding: 0.8em 1em 2em;
    font-size: 1.1em;
    font-weight: 600;
    background: linear-gradient(var(--_scrim), transparent);
    z-index: 1;
    pointer-events: none;
  }
  .big-play {
    position: absolute;
    left: 50%;
    top: 50%;
    width: 72px;
    height: 72px;
    margin: -36px 0 0 -36px;
    display: grid;
    place-items: center;
    border-radius: 50%;
    background: var(--_surface);
    box-shadow: 0 4px 24px rgba(0, 0, 0, 0.4);
    cursor: pointer;
    z-index: 1;
    transition: transform var(--_transition), background var(--_transition);
  }
  .big-play:hover {
    transform: scale(1.08);
    background: var(--_accent);
  }
  .big-play .icon {
    width: 34px;
    height: 34px;
    margin-left: 4px;
  }
  .spinner {
    position: absolute;
    left: 50%;
    top: 50%;
    width: 56px;
    height: 56px;
    margin: -28px 0 0 -28px;
    z-index: 1;
    pointer-events: none;
  }
  .spinner .icon {
    width: 100%;
    height: 100%;
    animation: veil-spin 0.9s linear infinite;
  }
  .spinner-arc {
    stroke: var(--_accent);
    stroke-width: 2.5;
  }
  @keyframes veil-spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner .icon {
      animation-duration: 3s;
    }
  }

  /* The control bar. */
  .controls {
    position: absolute;
    left: 0;
    right: 0;
    bottom: 0;
    display: flex;
    gap: 0.25em;
    align-items: center;
    padding: 2.5em 0.6em 0.5em;
    background: linear-gradient(transparent, var(--_scrim));
    z-index: 1;
  }
  .controls,
  .title {
    transition: opacity var(--_transition);
  }
  /* Faded, still focusable and in the accessibility tree; hovering or focusing brings it back. */
  .auto-hidden {
    opacity: 0;
  }
  .controls.auto-hidden:hover,
  .controls.auto-hidden:focus-within {
    opacity: 1;
  }
  .icon {
    width: 22px;
    height: 22px;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
    flex: none;
  }
  .icon .fill {
    fill: currentColor;
    stroke: none;
  }
  .controls button {
    position: relative;
    flex: none;
    display: grid;
    place-items: center;
    width: var(--_control-size);
    height: var(--_control-size);
    padding: 0;
    border-radius: var(--_radius);
    background: var(--_button);
    transition: background var(--_transition);
  }
  .controls button:hover {
    background: var(--_button-hover);
  }
  .controls button[aria-pressed='true'] {
    background: var(--_button-pressed);
    box-shadow: inset 0 -2px 0 var(--_accent);
  }

  /* Tooltips: the button's name, shown on hover and keyboard focus (hidden from axe and AT otherwise). */
  .tip {
    position: absolute;
    bottom: calc(100% + 6px);
    left: 50%;
    translate: -50% 0;
    padding: 0.25em 0.6em;
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_surface);
    font-size: 0.85em;
    white-space: nowrap;
    pointer-events: none;
    visibility: hidden;
    opacity: 0;
    transition: opacity var(--_transition);
  }
  .controls > :first-child .tip {
    left: 0;
    translate: none;
  }
  .controls > :last-child .tip,
  .menu-wrap .tip {
    left: auto;
    right: 0;
    translate: none;
  }
  button:hover > .tip,
  button:focus-visible > .tip {
    visibility: visible;
    opacity: 1;
  }
  button[aria-expanded='true'] > .tip {
    visibility: hidden;
  }

  /* Sliders: native range inputs, restyled (the seek bar's track is the SVG below it). */
  input[type='range'] {
    appearance: none;
    margin: 0;
    background: transparent;
    cursor: pointer;
    height: 20px;
  }
  input[type='range']::-webkit-slider-runnable-track {
    height: 4px;
    border-radius: 2px;
    background: transparent;
  }
  input[type='range']::-webkit-slider-thumb {
    appearance: none;
    width: 14px;
    height: 14px;
    margin-top: -5px;
    border-radius: 50%;
    background: var(--_accent);
    border: 0;
    transition: transform var(--_transition);
  }
  input[type='range']::-moz-range-thumb {
    width: 14px;
    height: 14px;
    border-radius: 50%;
    background: var(--_accent);
    border: 0;
  }
  input[type='range']:hover::-webkit-slider-thumb,
  input[type='range']:focus-visible::-webkit-slider-thumb {
    transform: scale(1.25);
  }
  input.volume::-webkit-slider-runnable-track {
    background: var(--_track);
  }
  input.volume::-moz-range-track {
    height: 4px;
    border-radius: 2px;
    background: var(--_track);
  }
  .volume-group {
    display: flex;
    align-items: center;
    flex: none;
  }
  .volume {
    width: 4.5em;
    margin-right: 0.3em;
  }

  /* The seek bar: the input on top, the SVG track (rail, buffered, played) and the preview. */
  .seek-bar {
    position: relative;
    flex: 1;
    min-width: 4em;
    height: var(--_control-size);
    display: flex;
    align-items: center;
    margin: 0 0.4em;
  }
  .seek-bar .track {
    position: absolute;
    left: 0;
    right: 0;
    top: 50%;
    width: 100%;
    height: 4px;
    margin-top: -2px;
    overflow: visible;
    transition: height var(--_transition), margin var(--_transition);
  }
  .seek-bar:hover .track {
    height: 6px;
    margin-top: -3px;
  }
  .rail {
    fill: var(--_track);
  }
  .buffered {
    fill: var(--_buffered);
  }
  .played {
    fill: var(--_accent);
  }
  .seek {
    position: relative;
    width: 100%;
  }
  .preview {
    position: absolute;
    left: 0;
    bottom: calc(100% - 4px);
    width: 100%;
    height: 24px;
    overflow: visible;
    pointer-events: none;
  }
  .preview rect {
    fill: var(--_surface);
  }
  .preview text {
    fill: currentColor;
    font-size: 12px;
    font-variant-numeric: tabular-nums;
  }
  .time {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
    margin: 0 0.5em 0 0.2em;
    font-size: 0.9em;
  }
  video::cue {
    font-size: 1em;
  }

  /* Menus: compact popovers above their buttons. */
  .menu-wrap {
    position: relative;
    flex: none;
  }
  .menu {
    position: absolute;
    right: 0;
    bottom: calc(100% + 8px);
    min-width: 9em;
    max-height: 14em;
    overflow-y: auto;
    padding: 0.3em;
    background: var(--_surface);
    border-radius: var(--_radius);
    box-shadow: 0 8px 28px rgba(0, 0, 0, 0.45);
  }
  [role='menuitemradio'] {
    padding: 0.35em 0.8em 0.35em 1.9em;
    border-radius: calc(var(--_radius) - 3px);
    cursor: pointer;
    white-space: nowrap;
    position: relative;
  }
  [role='menuitemradio']:hover,
  [role='menuitemradio']:focus {
    background: var(--_button-hover);
  }
  [role='menuitemradio'][aria-checked='true'] {
    color: var(--_accent);
  }
  [role='menuitemradio'][aria-checked='true']::before {
    content: '✓';
    position: absolute;
    left: 0.65em;
  }
`;
