import { css } from 'lit';

/**
 * Veil's design tokens: one set of CSS custom properties every element's controls are drawn with.
 * A page sets any `--veil-*` on the element or on an ancestor (`body { --veil-accent: #e11d48 }`).
 * Inside, rules read the private `--_*` copies resolved here, so each default is written once and
 * an inherited page value is never shadowed by a `:host` declaration of the public name.
 * Documented in the README ("Design tokens"); keep the two lists the same.
 */
export const tokenStyles = css`
  :host {
    --_background: var(--veil-background, #000);
    --_color: var(--veil-color, #fff);
    --_font: var(--veil-font, 14px/1.4 system-ui, sans-serif);
    --_accent: var(--veil-accent, #4da3ff);
    --_focus: var(--veil-focus-color, #4da3ff);
    --_surface: var(--veil-surface, rgba(20, 22, 26, 0.94));
    --_scrim: var(--veil-scrim, rgba(0, 0, 0, 0.72));
    --_radius: var(--veil-radius, 8px);
    --_control-size: var(--veil-control-size, 36px);
    --_button: var(--veil-button-background, transparent);
    --_button-hover: var(--veil-button-hover-background, rgba(255, 255, 255, 0.16));
    --_button-pressed: var(--veil-button-pressed-background, rgba(255, 255, 255, 0.24));
    --_track: var(--veil-track-color, rgba(255, 255, 255, 0.3));
    --_buffered: var(--veil-buffered-color, rgba(255, 255, 255, 0.55));
    --_transition: var(--veil-transition, 160ms ease);
  }
`;
