/** Gives an element its strings in its language, and re-renders it when they change. */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VeilError } from '../protocol/errors.js';
import { errorMessage } from './errors.js';
import { format, languageOf, lookup, onStringsChange } from './locale.js';
import type { VeilStringKey } from './player.js';

/**
 * One formatter per language, for the page's life: building an `Intl.NumberFormat` costs far more
 * than formatting with one, and the player's speed menu formats every rate on every render
 * (measured: ~55 ms of the watch page's start-up, before the first playback-session request).
 * `null` for a language Intl refuses: its numbers are written as `String(value)`.
 */
const numberFormats = new Map<string, Intl.NumberFormat | null>();

function numberFormatOf(lang: string): Intl.NumberFormat | null {
  let format = numberFormats.get(lang);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(lang);
    } catch {
      format = null;
    }
    numberFormats.set(lang, format);
  }
  return format;
}

/** Gives a host element its strings, and re-renders it when they or its language change. */
export class StringsController<K extends string = VeilStringKey> implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  /** The element's English table (`ENGLISH_STRINGS`, `RECORDER_STRINGS`): the fallback of every key. */
  readonly #english: Readonly<Record<K, string>>;
  #observer?: MutationObserver;
  #unsubscribe?: () => void;
  #lang = 'en';

  constructor(host: ReactiveControllerHost & HTMLElement, english: Readonly<Record<K, string>>) {
    this.#host = host;
    this.#english = english;
    host.addController(this);
  }

  /** The language the host speaks. */
  get lang(): string {
    return this.#lang;
  }

  hostConnected(): void {
    this.#lang = languageOf(this.#host);
    this.#unsubscribe = onStringsChange(this.#changed);
    this.#observer = new MutationObserver(this.#changed);
    for (const target of [this.#host, document.documentElement]) this.#observer.observe(target, { attributes: true, attributeFilter: ['lang'] });
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#observer?.disconnect();
  }

  t(key: K, params: Record<string, string | number> = {}): string {
    return format(lookup(this.#lang, key) ?? this.#english[key], params);
  }

  /** The viewer message of an error: the locale's `error.<CODE>`, else the error's own message. */
  errorMessage(error: VeilError): string {
    return errorMessage(this.#lang, error);
  }

  /** A number in the host's language (e.g. `1,5` in French). */
  number(value: number): string {
    return numberFormatOf(this.#lang)?.format(value) ?? String(value);
  }

  #changed = (): void => {
    this.#lang = languageOf(this.#host);
    this.#host.requestUpdate();
  };
}
