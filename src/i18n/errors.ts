/**
 * Viewer messages of `VeilError`s: English from the error catalogue (`protocol/errors.ts`, also
 * what the server sends), other languages by code with `error.<CODE>` keys in `setVeilStrings`.
 */
import type { VeilError } from '../protocol/errors.js';
import { lookup } from './locale.js';

export function errorMessage(lang: string, error: VeilError): string {
  return lookup(lang, `error.${error.code}`) ?? error.message;
}
