/**
 * The dev IdP's signing key, kept in the demo's data directory so that a restart does not sign
 * everyone out (their access tokens, signed before the restart, still verify until they expire).
 * The private key is wrapped like the service's own keys (AES-256-GCM envelope under the demo's
 * KEK, bound to this file's purpose); the file is mode 0600 and written once, never overwritten.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { kekFromBase64, kekFromFile, unwrap, wrap, type KekRing, type Wrapped } from '../../src/server/storage/envelope.js';
import { defaultKekFile } from '../../src/server/storage/sqlite.js';
import { generateSigningKey, type SigningKey } from './configuration.js';

const CONTEXT = 'veil-demo-idp-signing-key';
/** Its file in the demo's data directory. */
export const IDP_SIGNING_KEY_FILE = 'idp-signing-key.json';

/** The demo's KEK ring: `VEIL_KEK` (+ previous) when set, else the key file beside the SQLite database (the storage made it). */
export function demoKeks(config: { kek?: string; previousKeks: readonly string[]; db: string }): KekRing {
  return {
    current: config.kek ? kekFromBase64(config.kek, 'VEIL_KEK') : kekFromFile(defaultKekFile(config.db), true),
    previous: config.previousKeks.map((text, i) => kekFromBase64(text, `VEIL_KEK_PREVIOUS entry ${i + 1}`)),
  };
}

/** The signing key stored in `file`, or a new one stored there (wrapped under `keks.current`). */
export async function loadSigningKey(file: string, keks: KekRing): Promise<SigningKey> {
  if (existsSync(file)) {
    const wrapped = JSON.parse(readFileSync(file, 'utf8')) as Wrapped;
    return JSON.parse(new TextDecoder().decode(unwrap(keks, wrapped, CONTEXT))) as SigningKey;
  }
  const key = await generateSigningKey();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(wrap(keks.current, new TextEncoder().encode(JSON.stringify(key)), CONTEXT)), { mode: 0o600, flag: 'wx' });
  return key;
}
