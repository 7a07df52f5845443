/**
 * The languages a page added with `setVeilStrings(lang, strings)`, and how a string is looked up:
 * an element speaks the language of its `lang` attribute, else of its nearest ancestor with one
 * (across shadow roots), else English; `fr-CA` falls back to `fr`, then to English, string by
 * string. The English tables are per element (`player.ts`); error messages in `errors.ts`.
 */
import type { VeilErrorCode } from '../protocol/errors.js';
import type { VeilStringKey } from './player.js';
import type { RecorderStringKey } from './recorder.js';
import type { ShareDialogStringKey } from './share-dialog.js';

/** A locale's strings: any subset of the English keys, plus `error.<CODE>` viewer messages. */
export type VeilStrings = Partial<Record<VeilStringKey | RecorderStringKey, string>> & { [K in `error.${VeilErrorCode}`]?: string } & { [K in `share.${ShareDialogStringKey}`]?: string };

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
export function lookup(lang: string, key: string): string | undefined {
  const parts = lang.toLowerCase().split('-');
  for (let n = parts.length; n > 0; n--) {
    const value = locales.get(parts.slice(0, n).join('-'))?.[key as keyof VeilStrings];
    if (value !== undefined) return value;
  }
  return undefined;
}

export function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** Calls `listener` whenever `setVeilStrings` or `resetVeilStrings` changed a table. */
export function onStringsChange(listener: () => void): () => void {
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}

/** The language in effect for `element`: its own or nearest ancestor's `lang`, across shadow roots. */
export function languageOf(element: Element): string {
  for (let node: Element | null = element; node; ) {
    if (node.getAttribute('lang')) return node.getAttribute('lang')!;
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
  }
  return 'en';
}

