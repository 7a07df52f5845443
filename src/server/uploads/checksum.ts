/**
 * tus checksum extension for the file store, which has none: a PATCH body is read (bounded),
 * hashed and compared with its `Upload-Checksum` before a byte reaches the store, so a damaged
 * chunk is discarded whole and the upload's offset does not move. The final PATCH (or a HEAD
 * that would accept the upload) may also carry the whole recording's digest
 * (`Veil-Recording-Checksum`), checked against the stored bytes before the upload is accepted.
 */
import { createHash } from 'node:crypto';
import { fail } from '../http.js';
import { UPLOAD_CHECKSUM_ALGORITHM } from '../../protocol/recording.js';
import type { UploadBytes } from './tus.js';

/** The expected digest (raw bytes) from `Upload-Checksum: sha256 <base64>`; 400 when malformed. */
export function expectedChecksum(header: string | null, name = 'Upload-Checksum'): Buffer {
  const match = header ? /^([a-z0-9-]+) ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim()) : null;
  if (!match) fail('BAD_REQUEST', `Every PATCH needs \`${name}: sha256 <base64 digest>\`.`);
  if (match[1] !== UPLOAD_CHECKSUM_ALGORITHM) fail('BAD_REQUEST', `${name} algorithm must be ${UPLOAD_CHECKSUM_ALGORITHM}.`);
  const digest = Buffer.from(match[2]!, 'base64');
  if (digest.length !== 32) fail('BAD_REQUEST', `The sha256 digest in ${name} must be 32 bytes.`);
  return digest;
}

export function checksumMatches(body: Uint8Array, expected: Buffer): boolean {
  return createHash('sha256').update(body).digest().equals(expected);
}

/**
 * Whether the first `stored` bytes of upload `id`, followed by `body`, hash to `expected`;
 * undefined when the upload does not hold exactly `stored` bytes (the offset is wrong: tus answers
 * that). The bytes are streamed, so a long recording is never read into memory.
 */
export async function recordingMatches(uploads: UploadBytes, id: string, stored: number, body: Uint8Array, expected: Buffer): Promise<boolean | undefined> {
  if ((await uploads.size(id)) !== stored) return undefined;
  const hash = createHash('sha256');
  for await (const piece of uploads.read(id, stored)) hash.update(piece);
  return hash.update(body).digest().equals(expected);
}
