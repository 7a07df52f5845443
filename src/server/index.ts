/**
 * `veil-video/server` — the Veil reference service as a library: one web-standard handler
 * (`Request → Response`) for the token service, media, keys, license and audit trail, plus the
 * pieces to build it (identity verifiers, playback tokens, stores). Run it on Node with
 * `veil-video/server/node`, or hand `handler` to any runtime or framework that speaks fetch.
 *
 * The storage exported here is the reference one (SQLite through Kysely, media on the filesystem):
 * it needs `better-sqlite3` (a peer dependency) installed.
 */
export { createVeilService, DEFAULT_LATE_DELIVERY_SECONDS, veilGuard, veilRoutes, SERVICE_PATH_PREFIXES, type VeilServiceOptions } from './service.js';
export { createRouter, type RouterOptions } from './router.js';
export type { AuditSettings, Handler, HttpMethod, PerimeterCheck, RouteContext, RouteDefinition, WatermarkSettings } from './context.js';
export {
  accessTokenInvalid,
  ACCESS_TOKEN_TYP,
  checkPerimeter,
  createAccessTokenVerifier,
  createEntraVerifiers,
  createIdentityRegistry,
  createOidcVerifier,
  DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS,
  ENTRA_AUTHORITY_BASE,
  ENTRA_CONSUMER_TENANT,
  type AccessTokenVerifier,
  type EntraTenant,
  type EntraVerifierOptions,
  type IdentityVerifier,
  type OidcVerifierOptions,
  type PerimeterPolicy,
  type PerimeterViolation,
  type VerifyOptions,
} from './identity/index.js';
export {
  createPlaybackTokenService,
  signingKeyRetentionSeconds,
  PLAYBACK_TOKEN_ALG,
  PLAYBACK_TOKEN_TYP,
  type PlaybackTokenClaims,
  type PlaybackTokenService,
  type PlaybackTokenServiceOptions,
  type PlaybackTokenSubject,
} from './playback-token.js';
export type { GeneralAccess, ProtectionScheme, VideoPresentation, VideoRecord, VideoRepository, VideoStatus } from './storage/videos.js';
export type { AccessRequest, AccessUpdate, ExpiredGrant, GrantRepository, VideoAccess } from './storage/grants.js';
export type { SharingPolicyRepository, StoredSharingPolicy } from './storage/sharing-policies.js';
export { startGrantExpirySweep, sweepExpiredGrants, type GrantExpirySweep } from './access/expiry-sweep.js';
export { decide, effectiveRole, grantIsEffective, type Decision } from './access/decide.js';
export { createGrantAuthorizer, type Asker, type Authorizer, type GrantAuthorizerOptions, type Verdict } from './access/authorizer.js';
export { StaticDirectory, type Directory, type DirectoryGroup, type DirectoryUser } from './access/directory.js';
export { DEFAULT_SHARING_POLICY, type AccessAction, type AccessSubject, type Grant, type SharingPolicy, type VideoAccessState } from './access/model.js';
export type { ContentKey, KeyStore } from './storage/keys.js';
export type { MediaFile, MediaStore } from './storage/media.js';
export type { SigningKey, SigningKeyRing } from './storage/signing-keys.js';
export { openSqliteStorage, type SqliteStorage, type SqliteStorageOptions } from './storage/sqlite.js';
export { FsMediaStore } from './storage/fs-media-store.js';
export { SqliteAuditStore } from './audit/sqlite-store.js';
// The service's own audit records (share changes…), e.g. for `DeepLinkingDeps.audit`.
export { serverAuditLog, type ServerAuditEvent, type ServerAuditLog } from './audit/server-events.js';
export { verifyChain, type AppendResult, type AuditQuery, type AuditRecord, type AuditRecordInput, type AuditStore, type ChainReport } from './audit/store.js';
export { errorResponse, jsonResponse, toErrorResponse } from './http/json.js';
export { VeilError, isVeilError, type VeilErrorCode } from '../protocol/errors.js';
export { ERROR_CODES } from '../protocol/error-hints.js';
export type { Viewer } from '../protocol/viewer.js';
export { API_ROUTES, apiUrls } from '../protocol/paths.js';
export { createGuard, DEFAULT_RATE_LIMITS, REFUSAL_CODES, rateLimitSettings, type Allowance, type BlockReport, type Guard, type LimitGroup, type PartialRateLimits, type RateLimitSettings } from './limits/guard.js';
export { memoryRateLimits, type RateDecision, type RateLimitBackend, type RateLimiter, type RateLimitOptions } from './limits/rate-limiter.js';
// Scale-out (README "Deploy"): PostgreSQL for every repository, the audit trail and rate limits;
// media on an S3-compatible store; the client address behind a load balancer; JSON logs.
export { openPostgresStorage, createPostgresPool, type PostgresStorage, type PostgresStorageOptions } from './storage/postgres.js';
export { PostgresAuditStore } from './audit/postgres-store.js';
export { S3MediaStore, createS3Client, type S3Settings } from './storage/s3-media-store.js';
export { postgresRateLimits } from './limits/rate-limiter.js';
export { forwardedClientAddress } from './http/client-address.js';
export { createLogger, errorLog, withRequestLog } from './http/request-log.js';
// LTI 1.3 tool (README "LTI 1.3"): mount `handler` at /lti/, add `verifier` to `identity`.
export { createLtiTool, type LtiTool, type LtiToolOptions } from './lti/tool.js';
export { coursePrincipal, courseRole, type CourseRole } from './lti/claims.js';
export { createNrpsClient, type NrpsClient } from './lti/nrps.js';
export type { LtiDeepLink, LtiLogin, LtiRegistration, LtiStore } from './lti/store.js';
export type { DeepLinkingDeps } from './lti/deep-linking.js';
export type { LtiSessionSubject, LtiSessionTokens } from './lti/session-token.js';
export { LTI_ROUTES } from '../protocol/lti.js';
