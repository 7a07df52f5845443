/**
 * Every string `<veil-player>` shows or announces, in one table: English built in, other languages
 * supplied by the host page with `setVeilStrings(lang, strings)`. A player speaks the language of
 * its `lang` attribute, else of its nearest ancestor with one (across shadow roots), else of the
 * document; `fr-CA` falls back to `fr`, then to English, string by string.
 *
 * Placeholders are `{name}`. The viewer messages of `VeilError` codes come from the error
 * catalogue (`errors.ts`); a locale may override them by code with `error.<CODE>` keys.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VeilError, VeilErrorCode } from '../../protocol/errors.js';

export const ENGLISH_STRINGS = {
  player: 'Video player',
  play: 'Play',
  pause: 'Pause',
  seek: 'Seek',
  /** aria-valuetext of the seek slider. */
  seekValue: '{current} of {duration}',
  mute: 'Mute',
  volume: 'Volume',
  volumeValue: '{percent}%',
  fullscreen: 'Fullscreen',
  captions: 'Captions',
  captionsMenu: 'Caption language',
  captionsOff: 'Off',
  /** Name of a caption track without a label in the stream. */
  captionsUnnamed: 'Track {number}',
  quality: 'Quality',
  qualityAuto: 'Auto',
  /** Auto, with the rendition adaptive bitrate picked. */
  qualityAutoActive: 'Auto ({quality})',
  qualityHeight: '{height}p',
  qualityBitrate: '{kbps} kbps',
  speed: 'Speed',
  speedNormal: 'Normal',
  speedValue: '{rate}×',
  signInMessage: 'Sign in with your organisation account to watch this video.',
  signIn: 'Sign in',
  authorizing: 'Checking your access…',
  loading: 'Loading the video…',
  cannotPlay: 'This video cannot be played.',
  announcePlaying: 'Playing',
  announcePaused: 'Paused',
  announceEnded: 'Ended',
  announceMuted: 'Muted',
  announceUnmuted: 'Sound on',
  announceVolume: 'Volume {percent}%',
  announceSeek: '{time}',
  announceCaptionsOn: 'Captions on: {track}',
  announceCaptionsOff: 'Captions off',
  announceQuality: 'Quality: {quality}',
  announceSpeed: 'Speed: {speed}',
};

export type VeilStringKey = keyof typeof ENGLISH_STRINGS;

/** A locale's strings: any subset of the English keys, plus `error.<CODE>` viewer messages. */
export type VeilStrings = Partial<Record<VeilStringKey, string>> & { [K in `error.${VeilErrorCode}`]?: string };

const locales = new Map<string, VeilStrings>();
const changes = new EventTarget();

/**
 * Adds (or extends) the strings of a language, e.g. `setVeilStrings('fr', { play: 'Lecture' })`.
 * Players already on the page re-render in it.
 */
export function setVeilStrings(lang: string, strings: VeilStrings): void {
  const key = lang.toLowerCase();
  locales.set(key, { ...locales.get(key), ...strings });
  changes.dispatchEvent(new Event('change'));
}

/** Removes every language added with `setVeilStrings` (tests). */
export function resetVeilStrings(): void {
  locales.clear();
  changes.dispatchEvent(new Event('change'));
}

/** `fr-CA` → the `fr-ca` table, then `fr`. */
function lookup(lang: string, key: string): string | undefined {
  const parts = lang.toLowerCase().split('-');
  for (let n = parts.length; n > 0; n--) {
    const value = locales.get(parts.slice(0, n).join('-'))?.[key as keyof VeilStrings];
    if (value !== undefined) return value;
  }
  return undefined;
}

function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** The language in effect for `element`: its own or nearest ancestor's `lang`, across shadow roots. */
export function languageOf(element: Element): string {
  for (let node: Element | null = element; node; ) {
    if (node.getAttribute('lang')) return node.getAttribute('lang')!;
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
  }
  return 'en';
}

/** Gives a host element its strings, and re-renders it when they or its language change. */
export class StringsController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  #observer?: MutationObserver;
  #lang = 'en';

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  /** The language the host speaks. */
  get lang(): string {
    return this.#lang;
  }

  hostConnected(): void {
    this.#lang = languageOf(this.#host);
    changes.addEventListener('change', this.#changed);
    this.#observer = new MutationObserver(this.#changed);
    for (const target of [this.#host, document.documentElement]) this.#observer.observe(target, { attributes: true, attributeFilter: ['lang'] });
  }

  hostDisconnected(): void {
    changes.removeEventListener('change', this.#changed);
    this.#observer?.disconnect();
  }

  t(key: VeilStringKey, params: Record<string, string | number> = {}): string {
    return format(lookup(this.#lang, key) ?? ENGLISH_STRINGS[key], params);
  }

  /** The viewer message of an error: the locale's `error.<CODE>`, else the error's own message. */
  errorMessage(error: VeilError): string {
    return lookup(this.#lang, `error.${error.code}`) ?? error.message;
  }

  /** A number in the host's language (e.g. `1,5` in French). */
  number(value: number): string {
    try {
      return new Intl.NumberFormat(this.#lang).format(value);
    } catch {
      return String(value);
    }
  }

  #changed = (): void => {
    this.#lang = languageOf(this.#host);
    this.#host.requestUpdate();
  };
}
