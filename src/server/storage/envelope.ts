/**
 * Envelope encryption for secrets at rest (content keys, signing keys): AES-256-GCM under a
 * key-encryption key (KEK). Each wrapped value records the id of the KEK that wrapped it, so a
 * new KEK can take over while the old one still unwraps (rotation), and the additional data binds
 * a wrapped value to its row, so ciphertexts cannot be swapped between rows.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { VeilError } from '../../protocol/errors.js';

export interface Kek {
  /** A fingerprint of the key (not the key): `kek-` + 16 hex digits of its SHA-256. */
  id: string;
  key: Uint8Array;
}

/** The KEK that wraps new values, and older ones that still unwrap (until re-wrapped). */
export interface KekRing {
  current: Kek;
  previous: readonly Kek[];
}

export interface Wrapped {
  kekId: string;
  /** base64url of IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes). */
  value: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function kekFromBytes(key: Uint8Array): Kek {
  if (key.byteLength !== 32) throw configError(`A key-encryption key must be 32 bytes, got ${key.byteLength}.`);
  return { id: `kek-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`, key };
}

/** Parses a base64 KEK (`VEIL_KEK`); `name` says where it came from in the error. */
export function kekFromBase64(text: string, name: string): Kek {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw configError(`${name} is not base64.`);
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.byteLength !== 32) throw configError(`${name} must be 32 bytes of base64, got ${bytes.byteLength} bytes.`);
  return kekFromBytes(Uint8Array.from(bytes));
}

/**
 * The KEK from its key file, creating the file (mode 0600) when `create` allows it. A missing
 * file is only created for a store that holds no wrapped values yet: a new KEK cannot unwrap
 * old ones, so "missing" then means "lost" and start-up must stop.
 */
export function kekFromFile(file: string, create: boolean): Kek {
  if (!existsSync(file)) {
    if (!create) {
      throw configError(`The key-encryption key file ${file} is missing, but the database holds keys wrapped by one. Restore the file or set VEIL_KEK.`);
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(randomBytes(32)).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return kekFromBase64(readFileSync(file, 'utf8'), `The key file ${file}`);
}

export function wrap(kek: Kek, plaintext: Uint8Array, context: string): Wrapped {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { kekId: kek.id, value: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url') };
}

/** Unwraps with whichever KEK of the ring wrapped it; a tampered value or a wrong context throws. */
export function unwrap(keks: KekRing, wrapped: Wrapped, context: string): Uint8Array {
  const kek = [keks.current, ...keks.previous].find((candidate) => candidate.id === wrapped.kekId);
  if (!kek) throw configError(unknownKekMessage([wrapped.kekId], keks));
  const bytes = Buffer.from(wrapped.value, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', kek.key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.byteLength - TAG_BYTES));
  return Uint8Array.from(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.byteLength - TAG_BYTES)), decipher.final()]));
}

export function unknownKekMessage(ids: readonly string[], keks: KekRing): string {
  return (
    `The stored keys are wrapped by key-encryption key ${ids.join(', ')}, but the configured one is ${keks.current.id}. ` +
    'Set VEIL_KEK to the key that wrapped them (or VEIL_KEK_PREVIOUS while rotating); nothing is served until then.'
  );
}

function configError(message: string): VeilError {
  return new VeilError('CONFIG_INVALID', { message });
}
