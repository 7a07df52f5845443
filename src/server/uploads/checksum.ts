/**
 * tus checksum extension for the file store, which has none: a PATCH body is read (bounded),
 * hashed and compared with its `Upload-Checksum` before a byte reaches the store, so a damaged
 * chunk is discarded whole and the upload's offset does not move.
 */
import { createHash } from 'node:crypto';
import { fail } from '../http.js';
import { UPLOAD_CHECKSUM_ALGORITHM } from '../../protocol/recording.js';

/** The expected digest (raw bytes) from `Upload-Checksum: sha256 <base64>`; 400 when malformed. */
export function expectedChecksum(header: string | null): Buffer {
  const match = header ? /^([a-z0-9-]+) ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim()) : null;
  if (!match) fail('BAD_REQUEST', 'Every PATCH needs `Upload-Checksum: sha256 <base64 digest>`.');
  if (match[1] !== UPLOAD_CHECKSUM_ALGORITHM) fail('BAD_REQUEST', `Upload-Checksum algorithm must be ${UPLOAD_CHECKSUM_ALGORITHM}.`);
  const digest = Buffer.from(match[2]!, 'base64');
  if (digest.length !== 32) fail('BAD_REQUEST', 'The sha256 digest in Upload-Checksum must be 32 bytes.');
  return digest;
}

export function checksumMatches(body: Uint8Array, expected: Buffer): boolean {
  return createHash('sha256').update(body).digest().equals(expected);
}
