/**
 * Playback tokens: short-lived ES256 JWTs bound to viewer, org, video and player session.
 * Media, key and license routes accept nothing else. Keys come from the signing key ring: the
 * header's `kid` names the key, so tokens outlive restarts and rotations and any replica on the
 * same ring verifies them.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { MAX_PLAYBACK_TOKEN_TTL_SECONDS, MAX_TOKEN_LENGTH, RENEWAL_GRACE_SECONDS } from '../protocol/defaults.js';
import { VeilError } from '../protocol/errors.js';
import { SIGNING_ALG, type SigningKeyRing } from './storage/signing-keys.js';

export const PLAYBACK_TOKEN_ALG = SIGNING_ALG;
export const PLAYBACK_TOKEN_TYP = 'veil-playback+jwt';

export interface PlaybackTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  org: string;
  vid: string;
  sid: string;
  iat: number;
  exp: number;
  jti: string;
  /** An LTI viewer's course (`lti-context:…`): keys and licenses are decided on it. */
  ctx?: string;
}

export interface PlaybackTokenSubject {
  sub: string;
  org: string;
  vid: string;
  sid: string;
  ctx?: string;
}

export interface PlaybackTokenServiceOptions {
  issuer: string;
  audience: string;
  keys: SigningKeyRing;
  ttlSeconds: number;
  /** Seconds of clock skew tolerated on `exp`; zero by default because signer and verifier share a clock. */
  clockToleranceSeconds?: number;
}

export interface PlaybackTokenService {
  readonly ttlSeconds: number;
  /** The public keys that verify playback tokens now, for `GET /api/jwks`. */
  jwks(): Promise<{ keys: JWK[] }>;
  sign(subject: PlaybackTokenSubject): Promise<{ token: string; expiresAt: number }>;
  /**
   * Verifies signature, algorithm, type, issuer, audience, expiry and that `vid` is `videoId`.
   * `expiredGraceSeconds` accepts a token that expired at most that long ago (renewal only).
   */
  verify(token: string | undefined, videoId: string, options?: { expiredGraceSeconds?: number }): Promise<PlaybackTokenClaims>;
  /**
   * The same checks for the audit ingest, which takes `vid` from the token instead of the URL and
   * accepts a token up to `expiredGraceSeconds` past `exp`: events queued offline are delivered
   * after their session's token expired. Media, key and license routes never use this.
   */
  verifyForAudit(token: string | undefined, expiredGraceSeconds: number): Promise<PlaybackTokenClaims>;
}

export function createPlaybackTokenService(options: PlaybackTokenServiceOptions): PlaybackTokenService {
  const { issuer, audience, keys } = options;
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1 || options.ttlSeconds > MAX_PLAYBACK_TOKEN_TTL_SECONDS) {
    throw new VeilError('CONFIG_INVALID', {
      message: `Playback token lifetime must be 1..${MAX_PLAYBACK_TOKEN_TTL_SECONDS} seconds, got ${options.ttlSeconds}.`,
      data: { ttlSeconds: options.ttlSeconds },
    });
  }
  const ttlSeconds = options.ttlSeconds;

  /** A token whose `kid` the ring does not know (or no longer trusts) fails like a bad signature. */
  async function verificationKey(header: { kid?: string }) {
    const key = header.kid === undefined ? undefined : await keys.verificationKey(header.kid);
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key;
  }

  /** The one verification path: `videoId` undefined means "any video" (the caller reads `vid`). */
  async function check(token: string | undefined, videoId: string | undefined, toleranceSeconds: number): Promise<PlaybackTokenClaims> {
    if (!token) throw new VeilError('PLAYBACK_TOKEN_MISSING');
    if (token.length > MAX_TOKEN_LENGTH) throw new VeilError('PLAYBACK_TOKEN_INVALID', { data: { reason: 'too-long' } });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, verificationKey, {
        algorithms: [PLAYBACK_TOKEN_ALG],
        typ: PLAYBACK_TOKEN_TYP,
        issuer,
        audience,
        clockTolerance: toleranceSeconds,
        requiredClaims: ['sub', 'org', 'vid', 'sid', 'iat', 'exp', 'jti'],
      }));
    } catch (cause) {
      const code = cause instanceof joseErrors.JWTExpired ? 'PLAYBACK_TOKEN_EXPIRED' : 'PLAYBACK_TOKEN_INVALID';
      throw new VeilError(code, { cause });
    }
    const claims = payload as unknown as PlaybackTokenClaims;
    // jose bounds `iat` only with `maxTokenAge`, and then with the (grace-widened) tolerance: a
    // token "issued" in the future, or claiming a longer life than any token we sign, is forged.
    const now = Math.floor(Date.now() / 1000);
    const leeway = options.clockToleranceSeconds ?? 0;
    if (claims.iat > now + leeway) throw new VeilError('PLAYBACK_TOKEN_INVALID', { data: { reason: 'iat-in-future' } });
    if (claims.exp - claims.iat > MAX_PLAYBACK_TOKEN_TTL_SECONDS) throw new VeilError('PLAYBACK_TOKEN_INVALID', { data: { reason: 'lifetime' } });
    if (now - claims.iat > MAX_PLAYBACK_TOKEN_TTL_SECONDS + toleranceSeconds) throw new VeilError('PLAYBACK_TOKEN_EXPIRED', { data: { reason: 'too-old' } });
    for (const name of ['sub', 'org', 'vid', 'sid'] as const) {
      if (typeof claims[name] !== 'string') throw new VeilError('PLAYBACK_TOKEN_INVALID', { data: { claim: name } });
    }
    if (claims.ctx !== undefined && typeof claims.ctx !== 'string') throw new VeilError('PLAYBACK_TOKEN_INVALID', { data: { claim: 'ctx' } });
    if (videoId !== undefined && claims.vid !== videoId) {
      throw new VeilError('PLAYBACK_TOKEN_WRONG_VIDEO', { data: { videoId } });
    }
    return claims;
  }

  return {
    ttlSeconds,
    async jwks() {
      return { keys: await keys.publicJwks() };
    },
    async sign({ sub, org, vid, sid, ctx }) {
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + ttlSeconds;
      const { kid, privateKey } = await keys.signingKey();
      const token = await new SignJWT(ctx === undefined ? { org, vid, sid } : { org, vid, sid, ctx })
        .setProtectedHeader({ alg: PLAYBACK_TOKEN_ALG, typ: PLAYBACK_TOKEN_TYP, kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresAt: exp * 1000 };
    },

    verify(token, videoId, { expiredGraceSeconds = 0 } = {}) {
      return check(token, videoId, (options.clockToleranceSeconds ?? 0) + expiredGraceSeconds);
    },

    verifyForAudit(token, expiredGraceSeconds) {
      return check(token, undefined, Math.max(options.clockToleranceSeconds ?? 0, expiredGraceSeconds));
    },
  };
}

/**
 * How long a retired signing key must keep verifying: a token is used until its lifetime is over,
 * renewed up to the renewal grace after that, and vouches for queued audit events for the
 * late-delivery window.
 */
export function signingKeyRetentionSeconds(lateAuditDeliverySeconds: number): number {
  return MAX_PLAYBACK_TOKEN_TTL_SECONDS + Math.max(RENEWAL_GRACE_SECONDS, lateAuditDeliverySeconds);
}
