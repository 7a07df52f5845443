/**
 * The seek bar: a native range input (its keyboard behaviour, `aria-valuetext` and focus stay the
 * browser's) drawn over an SVG track that shows the buffered ranges and the played part, and a
 * time preview above the pointer while hovering, or above the playhead while the slider has focus.
 * Positions are SVG percentages set in the template, so nothing needs a `style` attribute and
 * every DOM change happens inside lit's render (the watermark guard trusts those).
 */
import { html, nothing, svg, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { formatTime } from './format-time.js';
import type { StringsController } from '../../i18n/strings-controller.js';

export interface SeekView {
  currentTime: number;
  duration: number;
  /** Buffered ranges in seconds, from `media.buffered`. */
  buffered: ReadonlyArray<readonly [number, number]>;
}

/** Percent of `duration`, clamped to the bar; for SVG `x`/`width`. */
const percent = (seconds: number, duration: number) => `${duration > 0 ? Math.min(Math.max(seconds / duration, 0), 1) * 100 : 0}%`;

/** `media.buffered` as plain pairs. */
export function bufferedRanges(media: HTMLMediaElement | null): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const buffered = media?.buffered;
  for (let i = 0; buffered && i < buffered.length; i++) ranges.push([buffered.start(i), buffered.end(i)]);
  return ranges;
}

export class SeekBar implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  /** Fraction of the bar under the pointer, while hovering. */
  #hover: number | undefined;
  #focused = false;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#hover = undefined;
    this.#focused = false;
  }

  render(view: SeekView, strings: StringsController, seekTo: (seconds: number) => void) {
    const duration = Number.isFinite(view.duration) ? view.duration : 0;
    const preview = this.#hover !== undefined ? this.#hover * duration : this.#focused ? view.currentTime : undefined;
    return html`
      <div class="seek-bar" @pointermove=${this.#pointerMove} @pointerleave=${() => this.#set(undefined, this.#focused)}>
        <svg class="track" aria-hidden="true" focusable="false">
          <rect class="rail" width="100%" height="100%" rx="2" />
          ${view.buffered.map(([start, end]) => svg`<rect class="buffered" x=${percent(start, duration)} width=${percent(end - start, duration)} height="100%" />`)}
          <rect class="played" width=${percent(view.currentTime, duration)} height="100%" rx="2" />
        </svg>
        <input
          class="seek"
          type="range"
          aria-label=${strings.t('seek')}
          aria-valuetext=${strings.t('seekValue', { current: formatTime(view.currentTime), duration: formatTime(view.duration) })}
          min="0"
          max=${duration}
          step="1"
          .value=${String(view.currentTime)}
          @input=${(event: Event) => seekTo(Number((event.target as HTMLInputElement).value))}
          @focus=${() => this.#set(this.#hover, true)}
          @blur=${() => this.#set(this.#hover, false)}
        />
        ${preview !== undefined && duration > 0
          ? html`<svg class="preview" aria-hidden="true" focusable="false">
              <svg x=${percent(preview, duration)} overflow="visible">
                <rect x="-28" y="0" width="56" height="24" rx="6" />
                <text x="0" y="16.5" text-anchor="middle">${formatTime(preview)}</text>
              </svg>
            </svg>`
          : nothing}
      </div>
    `;
  }

  #pointerMove = (event: PointerEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    if (box.width > 0) this.#set(Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1), this.#focused);
  };

  #set(hover: number | undefined, focused: boolean): void {
    if (hover === this.#hover && focused === this.#focused) return;
    this.#hover = hover;
    this.#focused = focused;
    this.#host.requestUpdate();
  }
}
