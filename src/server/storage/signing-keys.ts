/**
 * The playback-token signing key ring: ES256 key pairs, persisted so that a restart (or another
 * replica on the same database) verifies tokens signed before it. One key signs; rotation adds a
 * new signing key and retires the old one, which keeps verifying until every token it could have
 * signed is past use.
 */
import type { CryptoKey, JWK } from 'jose';

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeyRing {
  /** The key new tokens are signed with; the first call on an empty ring creates it. */
  signingKey(): Promise<SigningKey>;
  /** The public key for a token header's `kid`: the signing key or a retired one still in use. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** Every public key that may verify a token now, as JWKs (`kid`, `alg`, `use: "sig"`). */
  publicJwks(): Promise<JWK[]>;
  /** Makes a new key the signing key; the previous one verifies for the ring's retention. */
  rotate(): Promise<SigningKey>;
}
