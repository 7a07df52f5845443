/**
 * The `oidc` identity verifier: an OAuth 2.0 JWT access token (RFC 9068) issued by the
 * organisation's OpenID Provider for the Veil API, verified with jose and turned into a `Viewer`.
 *
 * Pinned algorithms (default ES256 only: `alg: none` and HMAC confusion are impossible), exact
 * issuer, audience = the API's resource indicator, header `typ` = `at+jwt` (jose also accepts the
 * equivalent `application/at+jwt`, as RFC 9068 §4 requires), `exp`/`nbf` checked, `iat` neither in
 * the future (beyond the clock tolerance) nor older than `maxAgeSeconds`, and the token's length
 * capped before anything is parsed.
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Viewer } from '../../protocol/viewer.js';
import { createIdentityRegistry } from './registry.js';
import { accessTokenInvalid, verifyJwt, type AccessTokenVerifier, type IdentityVerifier } from './verifier.js';

export interface OidcVerifierOptions {
  issuer: string;
  /** The Veil API's resource indicator (the `aud` the IdP puts in access tokens for it). */
  audience: string;
  jwks: JWTVerifyGetKey;
  /** Accepted JWS algorithms; default `['ES256']`. */
  algorithms?: string[];
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds; default 0. */
  clockToleranceSeconds?: number;
  /**
   * Longest lifetime (`exp - iat`) and age (`now - iat`, plus any late-delivery grace) accepted,
   * in seconds; default one day, far beyond any access-token lifetime an IdP issues.
   */
  maxAgeSeconds?: number;
}

/** @deprecated name kept for callers of the former `auth/access-token` module. */
export type AccessTokenVerifierOptions = OidcVerifierOptions;

/** RFC 9068 §2.1 media type of JWT access tokens, as oidc-provider writes it in the header. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Default bound on an access token's age: no IdP issues access tokens that live a day. */
export const DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60;

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function toViewer(payload: JWTPayload): Viewer {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw accessTokenInvalid('sub');
  if (typeof payload.iss !== 'string') throw accessTokenInvalid('iss');
  const groups = payload.groups;
  if (groups !== undefined && (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string'))) {
    throw accessTokenInvalid('groups');
  }
  const viewer: Viewer = { sub: payload.sub, issuer: payload.iss, groups: groups ? [...(groups as string[])] : [] };
  const org = optionalString(payload.org);
  const email = optionalString(payload.email);
  const name = optionalString(payload.name);
  if (org !== undefined) viewer.org = org;
  if (email !== undefined) viewer.email = email;
  if (name !== undefined) viewer.name = name;
  return viewer;
}

export function createOidcVerifier(options: OidcVerifierOptions): IdentityVerifier {
  const algorithms = [...(options.algorithms ?? ['ES256'])];
  if (algorithms.length === 0 || algorithms.some((alg) => alg === 'none' || alg.startsWith('HS'))) {
    throw new TypeError('access-token algorithms must be asymmetric JWS algorithms');
  }
  if (!options.issuer || !options.audience) throw new TypeError('access-token issuer and audience are required');
  const tolerance = options.clockToleranceSeconds ?? 0;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS;
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    typ: ACCESS_TOKEN_TYP,
    clockTolerance: tolerance,
    requiredClaims: ['sub', 'exp', 'iat'],
  };

  return {
    issuer: options.issuer,
    async verify(token, extra) {
      const payload = await verifyJwt(token, options.jwks, verifyOptions, extra);
      const grace = Math.max(0, extra?.expiredGraceSeconds ?? 0);
      // jose bounds `iat` only with `maxTokenAge`, and then with the (grace-widened) tolerance.
      const now = Math.floor(Date.now() / 1000);
      const iat = payload.iat as number;
      if (iat > now + tolerance) throw accessTokenInvalid('iat-in-future');
      if ((payload.exp as number) - iat > maxAge) throw accessTokenInvalid('lifetime');
      if (now - iat > maxAge + Math.max(tolerance, grace)) throw accessTokenInvalid('too-old');
      return toViewer(payload);
    },
  };
}

/** One issuer's verifier as the function the service takes (a registry of one). */
export function createAccessTokenVerifier(options: OidcVerifierOptions): AccessTokenVerifier {
  return createIdentityRegistry([createOidcVerifier(options)]);
}
