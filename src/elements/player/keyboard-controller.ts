/**
 * The player's keyboard shortcuts, active while focus is anywhere in the player (the host itself
 * is focusable). Native behaviour wins where it exists: a text field keeps every key, a slider its
 * arrows, Home/End and Page keys, a button or menu item its Enter and Space.
 *
 * | key | action |
 * |---|---|
 * | Space, K | play / pause |
 * | ← / → | back / forward 5 s |
 * | J / L | back / forward 10 s |
 * | ↑ / ↓ | volume up / down 5 % |
 * | M | mute / unmute |
 * | F | fullscreen on / off |
 * | C | captions on / off |
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface KeyboardActions {
  /** Whether a stream is loaded (shortcuts do nothing before). */
  ready(): boolean;
  togglePlay(): void;
  seekBy(seconds: number): void;
  volumeBy(delta: number): void;
  toggleMute(): void;
  toggleFullscreen(): void;
  toggleCaptions(): void;
}

const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
const NON_TEXT_INPUTS = new Set(['range', 'button', 'checkbox', 'radio', 'submit', 'reset', 'color', 'file', 'image']);

/** Elements that consume typed characters. */
function isTextEntry(element: Element): boolean {
  if (element instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(element.type);
  return element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement || (element instanceof HTMLElement && element.isContentEditable);
}

function isActivatable(element: Element): boolean {
  return element instanceof HTMLButtonElement || /^(button|menuitem|menuitemradio|menuitemcheckbox)$/.test(element.getAttribute('role') ?? '');
}

export class KeyboardController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #actions: KeyboardActions;

  constructor(host: ReactiveControllerHost & HTMLElement, actions: KeyboardActions) {
    this.#host = host;
    this.#actions = actions;
    host.addController(this);
  }

  hostConnected(): void {
    this.#host.addEventListener('keydown', this.#onKeyDown);
  }

  hostDisconnected(): void {
    this.#host.removeEventListener('keydown', this.#onKeyDown);
  }

  #onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || !this.#actions.ready()) return;
    const target = event.composedPath()[0];
    if (target instanceof Element) {
      if (isTextEntry(target)) return;
      if (target instanceof HTMLInputElement && target.type === 'range' && SLIDER_KEYS.has(event.key)) return;
      if (isActivatable(target) && (event.key === ' ' || event.key === 'Enter')) return;
    }
    const action = this.#action(event.key);
    if (!action) return;
    event.preventDefault(); // no page scroll on Space and arrows
    action();
  };

  #action(key: string): (() => void) | undefined {
    const a = this.#actions;
    switch (key.length === 1 ? key.toLowerCase() : key) {
      case ' ':
      case 'k':
        return () => a.togglePlay();
      case 'ArrowLeft':
        return () => a.seekBy(-5);
      case 'ArrowRight':
        return () => a.seekBy(5);
      case 'j':
        return () => a.seekBy(-10);
      case 'l':
        return () => a.seekBy(10);
      case 'ArrowUp':
        return () => a.volumeBy(0.05);
      case 'ArrowDown':
        return () => a.volumeBy(-0.05);
      case 'm':
        return () => a.toggleMute();
      case 'f':
        return () => a.toggleFullscreen();
      case 'c':
        return () => a.toggleCaptions();
      default:
        return undefined;
    }
  }
}
