/**
 * The token service's identity check: verifies an OAuth 2.0 JWT access token (RFC 9068) issued
 * by the organisation's IdP for the Veil API, and turns it into a `Viewer`.
 *
 * Pinned algorithms (default ES256 only: `alg: none` and HMAC confusion are impossible), exact
 * issuer, audience = the API's resource indicator, header `typ` = `at+jwt` (jose also accepts the
 * equivalent `application/at+jwt`, as RFC 9068 §4 requires), `exp`/`nbf`/`iat` checked. Every
 * failure, a missing token included, is `ACCESS_TOKEN_INVALID` with the jose error as `cause`.
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { VeilError } from '../../protocol/errors.js';
import type { Viewer } from '../../protocol/viewer.js';


export interface AccessTokenVerifierOptions {
  issuer: string;
  /** The Veil API's resource indicator (the `aud` the IdP puts in access tokens for it). */
  audience: string;
  jwks: JWTVerifyGetKey;
  /** Accepted JWS algorithms; default `['ES256']`. */
  algorithms?: string[];
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds; default 0. */
  clockToleranceSeconds?: number;
}

/** RFC 9068 §2.1 media type of JWT access tokens, as oidc-provider writes it in the header. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

function invalid(reason: string, cause?: unknown): VeilError {
  return new VeilError('ACCESS_TOKEN_INVALID', { cause: cause ?? new Error(reason), data: { reason } });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function toIdentity(payload: JWTPayload): Viewer {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw invalid('sub');
  if (typeof payload.iss !== 'string') throw invalid('iss');
  const groups = payload.groups;
  if (groups !== undefined && (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string'))) {
    throw invalid('groups');
  }
  const identity: Viewer = { sub: payload.sub, issuer: payload.iss, groups: groups ? [...(groups as string[])] : [] };
  const org = optionalString(payload.org);
  const email = optionalString(payload.email);
  const name = optionalString(payload.name);
  if (org !== undefined) identity.org = org;
  if (email !== undefined) identity.email = email;
  if (name !== undefined) identity.name = name;
  return identity;
}

/**
 * Verifies an access token. `expiredGraceSeconds` is for the audit ingest only: an event queued
 * offline is delivered with the token it was recorded under, possibly after that token expired.
 */
export type AccessTokenVerifier = (token: string | undefined, options?: { expiredGraceSeconds?: number }) => Promise<Viewer>;

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const algorithms = [...(options.algorithms ?? ['ES256'])];
  if (algorithms.length === 0 || algorithms.some((alg) => alg === 'none' || alg.startsWith('HS'))) {
    throw new TypeError('access-token algorithms must be asymmetric JWS algorithms');
  }
  if (!options.issuer || !options.audience) throw new TypeError('access-token issuer and audience are required');
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    typ: ACCESS_TOKEN_TYP,
    clockTolerance: options.clockToleranceSeconds ?? 0,
    requiredClaims: ['sub', 'exp', 'iat'],
  };

  return async (token, extra) => {
    if (typeof token !== 'string' || token === '') throw invalid('missing');
    let payload: JWTPayload;
    const grace = extra?.expiredGraceSeconds ?? 0;
    try {
      ({ payload } = await jwtVerify(token, options.jwks, grace > verifyOptions.clockTolerance ? { ...verifyOptions, clockTolerance: grace } : verifyOptions));
    } catch (cause) {
      throw invalid('verification', cause);
    }
    return toIdentity(payload);
  };
}
