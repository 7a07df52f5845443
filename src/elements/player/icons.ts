/**
 * The player's icons: inline SVG in lit templates (no image requests, no `style` attributes, so a
 * strict CSP needs nothing extra). 24 × 24 grid; filled shapes use `fill`, strokes inherit
 * `currentColor` from the `svg` rule in the player's styles. Always `aria-hidden`: the button
 * around an icon carries the accessible name.
 */
import { html, svg, type SVGTemplateResult } from 'lit';

function icon(shapes: SVGTemplateResult) {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${shapes}</svg>`;
}

const speaker = svg`<path class="fill" d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z" />`;

export const icons = {
  play: icon(svg`<path class="fill" d="M8 5.2v13.6a.8.8 0 0 0 1.2.7l10.4-6.8a.8.8 0 0 0 0-1.4L9.2 4.5a.8.8 0 0 0-1.2.7z" />`),
  pause: icon(svg`<rect class="fill" x="6" y="4.5" width="4" height="15" rx="1" /><rect class="fill" x="14" y="4.5" width="4" height="15" rx="1" />`),
  volume: icon(svg`${speaker}<path d="M15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11" />`),
  muted: icon(svg`${speaker}<path d="M16 9.5l5 5M21 9.5l-5 5" />`),
  captions: icon(svg`<rect x="3" y="5.5" width="18" height="13" rx="2.5" /><path d="M10.5 10.3a2 2 0 1 0 0 3.4M16.5 10.3a2 2 0 1 0 0 3.4" />`),
  language: icon(svg`<circle cx="12" cy="12" r="8.5" /><path d="M3.5 12h17M12 3.5c2.3 2.4 3.4 5.2 3.4 8.5s-1.1 6.1-3.4 8.5c-2.3-2.4-3.4-5.2-3.4-8.5s1.1-6.1 3.4-8.5z" />`),
  quality: icon(svg`<path d="M4 7h9M17 7h3M4 17h3M11 17h9" /><circle cx="15" cy="7" r="2" /><circle cx="9" cy="17" r="2" />`),
  speed: icon(svg`<path d="M4.6 17.5a8.5 8.5 0 1 1 14.8 0" /><path d="M12 13.5l4-5" />`),
  fullscreen: icon(svg`<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" />`),
  exitFullscreen: icon(svg`<path d="M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5" />`),
  spinner: icon(svg`<circle class="spinner-arc" cx="12" cy="12" r="9" stroke-dasharray="40 100" />`),
};
