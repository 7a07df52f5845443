/**
 * Auto-hiding controls: the viewer counts as idle once the pointer, the keyboard and focus have
 * been still in the player for `HIDE_AFTER_MS`. The player hides its control bar and title (and
 * the pointer) only while idle *and* playing with no menu open and no focus inside; any pointer
 * movement, key, click or focus change brings them back. Hiding is a class set in the render
 * (opacity only), so hidden controls stay in the tab order and the accessibility tree.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export const HIDE_AFTER_MS = 2500;
const ACTIVITY = ['pointerdown', 'keydown', 'focusin', 'focusout'] as const;

export class ActivityController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  #idle = false;
  #timer?: ReturnType<typeof setTimeout>;
  /** Where the pointer last moved to: the browser repeats a move at the same place when the page under it changes (e.g. the controls fading), which is no activity. */
  #pointer = '';

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  /** No pointer, key or focus activity in the player for `HIDE_AFTER_MS`. */
  get idle(): boolean {
    return this.#idle;
  }

  hostConnected(): void {
    for (const type of ACTIVITY) this.#host.addEventListener(type, this.#active);
    this.#host.addEventListener('pointermove', this.#moved);
    this.#host.addEventListener('pointerleave', this.#left);
    this.#active();
  }

  hostDisconnected(): void {
    for (const type of ACTIVITY) this.#host.removeEventListener(type, this.#active);
    this.#host.removeEventListener('pointermove', this.#moved);
    this.#host.removeEventListener('pointerleave', this.#left);
    clearTimeout(this.#timer);
  }

  /** Counts as activity now (e.g. playback started): the controls show and the timer restarts. */
  wake(): void {
    this.#active();
  }

  #active = (): void => {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#left, HIDE_AFTER_MS);
    this.#setIdle(false);
  };

  #moved = (event: PointerEvent): void => {
    const at = `${event.screenX},${event.screenY}`;
    if (at === this.#pointer) return;
    this.#pointer = at;
    this.#active();
  };

  /** The pointer left the player (or the timer ran out): nothing to keep the controls up for. */
  #left = (event?: Event): void => {
    if (event) this.#pointer = '';
    clearTimeout(this.#timer);
    this.#setIdle(true);
  };

  #setIdle(idle: boolean): void {
    if (idle === this.#idle) return;
    this.#idle = idle;
    this.#host.requestUpdate();
  }
}
