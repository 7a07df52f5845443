/**
 * How the token service learns who a viewer is: one `IdentityVerifier` per trusted issuer (the
 * org's OIDC IdP today; Entra and LTI launches later), chosen by the token's `iss`.
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { MAX_TOKEN_LENGTH } from '../../protocol/defaults.js';
import { VeilError } from '../../protocol/errors.js';
import type { Viewer } from '../../protocol/viewer.js';

/** The one failure of every verifier: `ACCESS_TOKEN_INVALID`, the reason in `data.reason`. */
export function accessTokenInvalid(reason: string, cause?: unknown): VeilError {
  return new VeilError('ACCESS_TOKEN_INVALID', { cause: cause ?? new Error(reason), data: { reason } });
}

export interface VerifyOptions {
  /**
   * Accept a token that expired at most this long ago (seconds). For the audit ingest only: an
   * event queued offline is delivered with the token it was recorded under, possibly after expiry.
   */
  expiredGraceSeconds?: number;
}

/** Verifies access tokens of one issuer and turns them into a `Viewer`. */
export interface IdentityVerifier {
  /** The issuer whose tokens this verifier checks (exact string, as in the tokens' `iss`). */
  readonly issuer: string;
  /** Fails with `ACCESS_TOKEN_INVALID` (reason in `data.reason`, the library error as `cause`). */
  verify(token: string, options?: VerifyOptions): Promise<Viewer>;
}

/**
 * What the routes call: any token (or none) in, a verified viewer out. Every failure, a missing
 * token included, is `ACCESS_TOKEN_INVALID`.
 */
export type AccessTokenVerifier = (token: string | undefined, options?: VerifyOptions) => Promise<Viewer>;

/**
 * The checks every JWT verifier starts with: a token is there, not longer than any real one, and
 * passes jose with `options` (the clock tolerance widened to the audit ingest's grace, if larger).
 */
export async function verifyJwt(token: string, jwks: JWTVerifyGetKey, options: JWTVerifyOptions & { clockTolerance: number }, extra?: VerifyOptions): Promise<JWTPayload> {
  if (typeof token !== 'string' || token === '') throw accessTokenInvalid('missing');
  if (token.length > MAX_TOKEN_LENGTH) throw accessTokenInvalid('too-long');
  const grace = Math.max(0, extra?.expiredGraceSeconds ?? 0);
  try {
    return (await jwtVerify(token, jwks, grace > options.clockTolerance ? { ...options, clockTolerance: grace } : options)).payload;
  } catch (cause) {
    throw accessTokenInvalid('verification', cause);
  }
}
