/**
 * `veil-video/server` — the Veil reference service as a library: one web-standard handler
 * (`Request → Response`) for the token service, media, keys, license and audit trail, plus the
 * pieces to build it (identity verifiers, playback tokens, stores). Run it on Node with
 * `veil-video/server/node`, or hand `handler` to any runtime or framework that speaks fetch.
 *
 * SQLite storage (`better-sqlite3`, an optional peer dependency) is not loaded by this entry.
 */
export { createVeilService, veilGuard, veilRoutes, SERVICE_PATH_PREFIXES, type VeilServiceOptions } from './service.js';
export { createRouter, type RouterOptions } from './router.js';
export type { AuditSettings, Handler, HttpMethod, PerimeterCheck, RouteContext, RouteDefinition, WatermarkSettings } from './context.js';
export {
  accessTokenInvalid,
  ACCESS_TOKEN_TYP,
  checkPerimeter,
  createAccessTokenVerifier,
  createIdentityRegistry,
  createOidcVerifier,
  DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS,
  type AccessTokenVerifier,
  type IdentityVerifier,
  type OidcVerifierOptions,
  type PerimeterPolicy,
  type PerimeterViolation,
  type VerifyOptions,
} from './identity/index.js';
export {
  createPlaybackTokenService,
  PLAYBACK_TOKEN_ALG,
  PLAYBACK_TOKEN_TYP,
  type PlaybackTokenClaims,
  type PlaybackTokenService,
  type PlaybackTokenServiceOptions,
  type PlaybackTokenSubject,
} from './playback-token.js';
export { canView, MemoryVideoStore, type VideoProtection, type VideoRecord, type VideoStore } from './videos.js';
export { verifyChain, type AppendResult, type AuditQuery, type AuditRecord, type AuditRecordInput, type AuditStore, type ChainReport } from './audit/store.js';
export { errorResponse, jsonResponse, toErrorResponse } from './http/json.js';
export { VeilError, ERROR_CODES, isVeilError, type VeilErrorCode } from '../protocol/errors.js';
export type { Viewer } from '../protocol/viewer.js';
export { API_ROUTES, apiUrls } from '../protocol/paths.js';
export { createGuard, DEFAULT_RATE_LIMITS, REFUSAL_CODES, rateLimitSettings, type Allowance, type BlockReport, type Guard, type LimitGroup, type PartialRateLimits, type RateLimitSettings } from './limits/guard.js';
export { memoryRateLimits, type RateDecision, type RateLimitBackend, type RateLimiter, type RateLimitOptions } from './limits/rate-limiter.js';
