/**
 * Validation of a launch's `id_token` (IMS Security Framework 1.0 §5.1.3 and LTI Core 1.3 §5),
 * every rule with its own `VeilError` code: JOSE header (registered algorithm only, `kid`
 * required, no `jku`/`x5u`/`jwk`/`x5c`), signature by the registration's key set (jose refetches
 * it once on an unknown `kid`), exact `iss`, `aud`/`azp`, times (60 s leeway, at most 5 min old),
 * the nonce stored for this state (equality, not mere novelty), then the LTI claims. Unknown
 * claims are ignored.
 */
import { compactVerify, decodeProtectedHeader, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';
import { CLAIM_CAPS, courseRole, DEEP_LINKING_REQUEST, LTI_CLAIM, LTI_VERSION, RESOURCE_LINK_REQUEST, type CourseRole } from './claims.js';
import { readDeepLinkingSettings, type DeepLinkingSettings } from './deep-linking.js';
import type { LtiRegistration } from './store.js';

/** Longest `id_token` read (characters); platforms' tokens with custom claims stay well under it. */
export const MAX_ID_TOKEN_LENGTH = 16 * 1024;
export const LTI_CLOCK_LEEWAY_SECONDS = 60;
export const LTI_MAX_TOKEN_AGE_SECONDS = 300;
const REFUSED_HEADER_PARAMS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

export interface LaunchExpectations {
  registration: LtiRegistration;
  /** The nonce stored with the login's state. */
  nonce: string;
  /** The `target_link_uri` the login was started for. */
  targetLinkUri: string;
  /** The registration's key set (jose `createRemoteJWKSet`, or a local set in tests). */
  keys: JWTVerifyGetKey;
  now?: number;
  /** Whether `LtiDeepLinkingRequest` is accepted (the tool has a picker); default false. */
  deepLinking?: boolean;
}

export interface LaunchClaims {
  issuer: string;
  clientId: string;
  sub: string;
  deploymentId: string;
  org: string;
  contextId: string;
  contextTitle?: string;
  /** The resource link launched; absent on a deep-linking request (which has none). */
  resourceLinkId?: string;
  /** Present on an `LtiDeepLinkingRequest` (an instructor's, checked): where the picker returns. */
  deepLinking?: DeepLinkingSettings;
  role: CourseRole;
  roles: string[];
  name?: string;
  email?: string;
  /** `custom` claim values that are strings (the video id lives in `custom.video`). */
  custom: Record<string, string>;
  /** The course's NRPS membership URL, when the platform offers the service. */
  membershipsUrl?: string;
}

function refuse(code: VeilErrorCode, reason: string, cause?: unknown): never {
  throw new VeilError(code, { data: { reason }, ...(cause === undefined ? {} : { cause }) });
}

function cappedString(value: unknown, claim: string, cap: number, missing: VeilErrorCode): string {
  if (value === undefined || value === null || value === '') refuse(missing, claim);
  if (typeof value !== 'string') refuse('LTI_CLAIM_INVALID', claim);
  if (value.length > cap) refuse('LTI_CLAIM_INVALID', `${claim}-too-long`);
  return value;
}

function optionalString(value: unknown, claim: string, cap: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > cap) refuse('LTI_CLAIM_INVALID', claim);
  return value;
}

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function checkHeader(token: string, algorithms: readonly string[]): void {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    refuse('LTI_ID_TOKEN_MALFORMED', 'header', cause);
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === 'none' || alg.startsWith('HS') || !algorithms.includes(alg)) refuse('LTI_JOSE_HEADER_REFUSED', 'alg');
  if (typeof header.kid !== 'string' || header.kid === '') refuse('LTI_JOSE_HEADER_REFUSED', 'kid');
  for (const name of REFUSED_HEADER_PARAMS) if (name in header) refuse('LTI_JOSE_HEADER_REFUSED', name);
}

async function verifiedPayload(token: string, expectations: LaunchExpectations): Promise<Record<string, unknown>> {
  const algorithms = expectations.registration.algorithms.length ? expectations.registration.algorithms : ['RS256'];
  checkHeader(token, algorithms);
  let bytes: Uint8Array;
  try {
    ({ payload: bytes } = await compactVerify(token, expectations.keys, { algorithms }));
  } catch (cause) {
    if (cause instanceof joseErrors.JWSInvalid) refuse('LTI_ID_TOKEN_MALFORMED', 'jws', cause);
    refuse('LTI_SIGNATURE_INVALID', cause instanceof joseErrors.JWKSNoMatchingKey ? 'unknown-kid' : 'signature', cause);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    refuse('LTI_ID_TOKEN_MALFORMED', 'payload', cause);
  }
  const claims = object(payload);
  if (!claims) refuse('LTI_ID_TOKEN_MALFORMED', 'payload');
  return claims;
}

function checkRegisteredClaims(claims: Record<string, unknown>, expectations: LaunchExpectations): void {
  const { registration } = expectations;
  if (claims.iss !== registration.issuer) refuse('LTI_ISSUER_MISMATCH', 'iss');
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(registration.clientId)) refuse('LTI_AUDIENCE_MISMATCH', 'aud');
  // Security Framework §5.1.3 step 4–5: with several audiences, `azp` must name us.
  if ((Array.isArray(aud) || claims.azp !== undefined) && claims.azp !== registration.clientId) refuse('LTI_AUDIENCE_MISMATCH', 'azp');
  const now = Math.floor((expectations.now ?? Date.now()) / 1000);
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) refuse('LTI_TOKEN_TIME_INVALID', 'exp');
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) refuse('LTI_TOKEN_TIME_INVALID', 'iat');
  if (claims.exp + LTI_CLOCK_LEEWAY_SECONDS < now) refuse('LTI_TOKEN_EXPIRED', 'exp');
  if (claims.iat > now + LTI_CLOCK_LEEWAY_SECONDS) refuse('LTI_TOKEN_TIME_INVALID', 'iat-in-future');
  if (now - claims.iat > LTI_MAX_TOKEN_AGE_SECONDS) refuse('LTI_TOKEN_TIME_INVALID', 'too-old');
  if (typeof claims.nonce !== 'string' || claims.nonce !== expectations.nonce) refuse('LTI_NONCE_MISMATCH', 'nonce');
}

function readRoles(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((role) => typeof role === 'string')) refuse('LTI_ROLES_INVALID', 'roles');
  if (value.length > CLAIM_CAPS.roles || value.some((role) => role.length > CLAIM_CAPS.role)) refuse('LTI_CLAIM_INVALID', 'roles-too-long');
  return value as string[];
}

function readCustom(value: unknown): Record<string, string> {
  const custom = object(value);
  if (!custom) return {};
  return Object.fromEntries(Object.entries(custom).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length <= CLAIM_CAPS.id));
}

function readMembershipsUrl(value: unknown): string | undefined {
  const url = object(value)?.context_memberships_url;
  if (url === undefined) return undefined;
  if (typeof url !== 'string' || url.length > 2048 || !/^https?:\/\//.test(url)) refuse('LTI_CLAIM_INVALID', 'namesroleservice');
  return url;
}

/** The launch's claims, verified; throws the rule's `VeilError` on the first rule broken. */
export async function validateIdToken(token: unknown, expectations: LaunchExpectations): Promise<LaunchClaims> {
  if (typeof token !== 'string' || token === '') refuse('LTI_ID_TOKEN_MISSING', 'id_token');
  if (token.length > MAX_ID_TOKEN_LENGTH) refuse('LTI_ID_TOKEN_MALFORMED', 'too-long');
  const claims = await verifiedPayload(token, expectations);
  checkRegisteredClaims(claims, expectations);

  const messageType = claims[LTI_CLAIM.messageType];
  const deepLinking = messageType === DEEP_LINKING_REQUEST && expectations.deepLinking === true;
  if (messageType !== RESOURCE_LINK_REQUEST && !deepLinking) refuse('LTI_MESSAGE_TYPE_INVALID', 'message_type');
  if (claims[LTI_CLAIM.version] !== LTI_VERSION) refuse('LTI_VERSION_INVALID', 'version');
  const deploymentId = cappedString(claims[LTI_CLAIM.deploymentId], 'deployment_id', CLAIM_CAPS.id, 'LTI_DEPLOYMENT_UNKNOWN');
  const org = Object.hasOwn(expectations.registration.deployments, deploymentId) ? expectations.registration.deployments[deploymentId] : undefined;
  if (org === undefined) refuse('LTI_DEPLOYMENT_UNKNOWN', 'deployment_id');
  if (claims[LTI_CLAIM.targetLinkUri] !== expectations.targetLinkUri) refuse('LTI_TARGET_LINK_MISMATCH', 'target_link_uri');
  // A deep-linking request has no resource link yet (Deep Linking 2.0 §4.4): it is asking for one.
  const resourceLinkId = deepLinking ? undefined : cappedString(object(claims[LTI_CLAIM.resourceLink])?.id, 'resource_link.id', CLAIM_CAPS.id, 'LTI_RESOURCE_LINK_MISSING');
  const sub = cappedString(claims.sub, 'sub', CLAIM_CAPS.id, 'LTI_SUBJECT_MISSING');
  const roles = readRoles(claims[LTI_CLAIM.roles]);
  const context = object(claims[LTI_CLAIM.context]);
  const contextId = cappedString(context?.id, 'context.id', CLAIM_CAPS.id, 'LTI_CONTEXT_MISSING');
  const role = courseRole(roles);
  if (role === undefined) refuse('LTI_ROLES_INVALID', 'no-course-role');
  // Only who may pick and share in the course may add a video to it.
  if (deepLinking && role !== 'instructor') refuse('LTI_DEEP_LINK_ROLE_REFUSED', 'role');

  const launch: LaunchClaims = { issuer: expectations.registration.issuer, clientId: expectations.registration.clientId, sub, deploymentId, org, contextId, role, roles, custom: readCustom(claims[LTI_CLAIM.custom]) };
  if (resourceLinkId !== undefined) launch.resourceLinkId = resourceLinkId;
  if (deepLinking) launch.deepLinking = readDeepLinkingSettings(claims[LTI_CLAIM.deepLinkingSettings]);
  const contextTitle = optionalString(context?.title, 'context.title', CLAIM_CAPS.name);
  const name = optionalString(claims.name, 'name', CLAIM_CAPS.name);
  const email = optionalString(claims.email, 'email', CLAIM_CAPS.name);
  if (contextTitle !== undefined) launch.contextTitle = contextTitle;
  if (name !== undefined) launch.name = name;
  if (email !== undefined) launch.email = email;
  const membershipsUrl = readMembershipsUrl(claims[LTI_CLAIM.nrps]);
  if (membershipsUrl !== undefined) launch.membershipsUrl = membershipsUrl;
  return launch;
}
