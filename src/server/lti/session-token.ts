/**
 * The Veil session a launch yields: a short-lived ES256 JWT signed with the service's signing key
 * ring, bound to the platform issuer, deployment, context, the platform's `sub` and the course
 * role. `<veil-session provider="lti">` presents it like an access token, so the token service
 * needs no IdP inside the LMS frame; the page renews it while it is open. Its verifier is an
 * `IdentityVerifier` like any other: the viewer it yields carries the course as its perimeter.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { MAX_TOKEN_LENGTH } from '../../protocol/defaults.js';
import { VeilError } from '../../protocol/errors.js';
import type { Viewer } from '../../protocol/viewer.js';
import { accessTokenInvalid, type IdentityVerifier } from '../identity/verifier.js';
import { SIGNING_ALG, type SigningKeyRing } from '../storage/signing-keys.js';
import { coursePrincipal, type CourseRole } from './claims.js';
import type { LaunchClaims } from './id-token.js';

export const LTI_SESSION_TYP = 'veil-lti-session+jwt';
/** Default session lifetime (seconds): an NRPS removal bites within it. */
export const DEFAULT_LTI_SESSION_TTL_SECONDS = 300;
/** A session may be renewed this long after it expired (a backgrounded tab). */
export const LTI_SESSION_RENEWAL_GRACE_SECONDS = 300;

/** What a session binds (also what a renewal carries over). */
export interface LtiSessionSubject {
  /** Platform issuer, deployment, context, platform `sub`. */
  plat: string;
  dep: string;
  cid: string;
  lsub: string;
  org: string;
  role: CourseRole;
  name?: string;
  email?: string;
  /** NRPS membership URL: renewals check the viewer is still an active member there. */
  nrps?: string;
}

export interface LtiSessionTokens {
  /** The issuer of session tokens (`<publicUrl>/lti`): the identity registry picks this verifier by it. */
  readonly issuer: string;
  readonly ttlSeconds: number;
  sign(subject: LtiSessionSubject): Promise<{ token: string; expiresAt: number }>;
  /** Verifies a session token; `expiredGraceSeconds` accepts one that expired at most that long ago. */
  verify(token: string | undefined, expiredGraceSeconds?: number): Promise<LtiSessionSubject>;
  /** The verifier for the token service (playback sessions). */
  readonly verifier: IdentityVerifier;
}

export function sessionSubjectOf(launch: LaunchClaims): LtiSessionSubject {
  const subject: LtiSessionSubject = { plat: launch.issuer, dep: launch.deploymentId, cid: launch.contextId, lsub: launch.sub, org: launch.org, role: launch.role };
  if (launch.name !== undefined) subject.name = launch.name;
  if (launch.email !== undefined) subject.email = launch.email;
  if (launch.membershipsUrl !== undefined) subject.nrps = launch.membershipsUrl;
  return subject;
}

/** The viewer a session stands for: its `sub` namespaced by platform, its course its perimeter. */
export function viewerOf(issuer: string, subject: LtiSessionSubject): Viewer {
  const viewer: Viewer = { issuer, sub: `lti:${subject.plat}#${subject.lsub}`, org: subject.org, groups: [], course: coursePrincipal(subject.plat, subject.dep, subject.cid) };
  if (subject.name !== undefined) viewer.name = subject.name;
  if (subject.email !== undefined) viewer.email = subject.email;
  return viewer;
}

const REQUIRED = ['plat', 'dep', 'cid', 'lsub', 'org', 'role'] as const;

function subjectOf(payload: JWTPayload): LtiSessionSubject {
  for (const name of REQUIRED) if (typeof payload[name] !== 'string' || payload[name] === '') throw new VeilError('LTI_SESSION_INVALID', { data: { claim: name } });
  if (payload.role !== 'instructor' && payload.role !== 'learner') throw new VeilError('LTI_SESSION_INVALID', { data: { claim: 'role' } });
  const subject: LtiSessionSubject = { plat: payload.plat as string, dep: payload.dep as string, cid: payload.cid as string, lsub: payload.lsub as string, org: payload.org as string, role: payload.role };
  if (typeof payload.name === 'string') subject.name = payload.name;
  if (typeof payload.email === 'string') subject.email = payload.email;
  if (typeof payload.nrps === 'string') subject.nrps = payload.nrps;
  return subject;
}

export function createLtiSessionTokens(options: { issuer: string; audience: string; keys: SigningKeyRing; ttlSeconds?: number }): LtiSessionTokens {
  const { issuer, audience, keys } = options;
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_LTI_SESSION_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 3600) throw new VeilError('CONFIG_INVALID', { message: 'LTI session lifetime must be 1..3600 seconds.', data: { ttlSeconds } });

  async function verificationKey(header: { kid?: string }) {
    const key = header.kid === undefined ? undefined : await keys.verificationKey(header.kid);
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key;
  }

  async function verify(token: string | undefined, expiredGraceSeconds = 0): Promise<LtiSessionSubject> {
    if (!token) throw new VeilError('LTI_SESSION_INVALID', { data: { reason: 'missing' } });
    if (token.length > MAX_TOKEN_LENGTH) throw new VeilError('LTI_SESSION_INVALID', { data: { reason: 'too-long' } });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, verificationKey, { algorithms: [SIGNING_ALG], typ: LTI_SESSION_TYP, issuer, audience, clockTolerance: expiredGraceSeconds, requiredClaims: ['sub', 'iat', 'exp', 'jti'] }));
    } catch (cause) {
      throw new VeilError('LTI_SESSION_INVALID', { cause, data: { reason: 'verification' } });
    }
    // A token claiming a longer life than any we sign, or issued in the future, is forged.
    const now = Math.floor(Date.now() / 1000);
    if ((payload.exp as number) - (payload.iat as number) > ttlSeconds || (payload.iat as number) > now + 1) throw new VeilError('LTI_SESSION_INVALID', { data: { reason: 'lifetime' } });
    return subjectOf(payload);
  }

  return {
    issuer,
    ttlSeconds,
    async sign(subject) {
      const iat = Math.floor(Date.now() / 1000);
      const { kid, privateKey } = await keys.signingKey();
      const token = await new SignJWT({ ...subject })
        .setProtectedHeader({ alg: SIGNING_ALG, typ: LTI_SESSION_TYP, kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(`lti:${subject.plat}#${subject.lsub}`)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresAt: (iat + ttlSeconds) * 1000 };
    },
    verify,
    verifier: {
      issuer,
      async verify(token, extra) {
        try {
          return viewerOf(issuer, await verify(token, Math.max(0, extra?.expiredGraceSeconds ?? 0)));
        } catch (error) {
          // The token service answers every bad credential alike.
          throw accessTokenInvalid('lti-session', error);
        }
      },
    },
  };
}
