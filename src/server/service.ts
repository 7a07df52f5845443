/**
 * The Veil reference service, composed: token service, media, keys, license and audit trail as one
 * web-standard handler (`Request → Response`, Hono's `app.fetch`). Stateless apart from its stores,
 * so it scales horizontally behind any load balancer.
 *
 * This is the composition root: it builds each route module with only the dependencies that module
 * uses and hands the definitions to the router. Routes import `context.ts`, never this file.
 */
import { DEFAULT_AUDIT_ADMIN_GROUP, DEFAULT_WATERMARK_INTERVAL_SECONDS, DEFAULT_WATERMARK_MIN_OPACITY } from '../protocol/defaults.js';
import { SERVICE_PATH_PREFIXES } from '../protocol/paths.js';
import type { AuditStore } from './audit/store.js';
import type { AccessTokenVerifier, AuditSettings, Handler, RouteDefinition } from './context.js';
import { checkPerimeter, type PerimeterPolicy } from './identity/perimeter.js';
import { createIdentityRegistry } from './identity/registry.js';
import type { IdentityVerifier } from './identity/verifier.js';
import { clientAddressOf } from './http/client-address.js';
import { createGuard, type BlockReport, type Guard, type PartialRateLimits } from './limits/guard.js';
import { memoryRateLimits, type RateLimitBackend } from './limits/rate-limiter.js';
import type { PlaybackTokenService } from './playback-token.js';
import { createRouter } from './router.js';
import { auditRoutes } from './routes/audit.js';
import { keyRoutes } from './routes/keys.js';
import { mediaRoutes } from './routes/media.js';
import { playbackSessionRoutes } from './routes/playback-sessions.js';
import { jwksRoutes } from './routes/jwks.js';
import type { KeyStore } from './storage/keys.js';
import type { MediaStore } from './storage/media.js';
import type { VideoRepository } from './storage/videos.js';
import type { GrantRepository } from './storage/grants.js';
import { createGrantAuthorizer } from './access/authorizer.js';
import { StaticDirectory, type Directory } from './access/directory.js';
import { DEFAULT_SHARING_POLICY, type SharingPolicy } from './access/model.js';
import type { SharingPolicyRepository } from './storage/sharing-policies.js';
import { accessRequestRoutes } from './routes/access-requests.js';
import { sharingPolicyRoutes } from './routes/sharing-policy.js';
import { serverAuditLog, type ServerAuditLog } from './audit/server-events.js';
import { accessRoutes } from './routes/access.js';
import { uploadRoutes } from './routes/uploads.js';
import { videoRoutes } from './routes/videos.js';
import type { Recordings } from './uploads/recordings.js';
import { VeilError } from '../protocol/errors.js';
import type { ScimProvisioning } from './scim/index.js';
import { scimRoutes } from './routes/scim.js';

export interface VeilServiceOptions {
  /** Origin (and optional base path) the service is reached at, e.g. `https://video.acme.example`. */
  publicUrl: string;
  /**
   * Who viewers are: one verifier per trusted issuer (`createOidcVerifier(...)`), picked by the
   * token's `iss`. Alternatively `verifyAccessToken`, a ready verifier function.
   */
  identity?: IdentityVerifier | readonly IdentityVerifier[];
  verifyAccessToken?: AccessTokenVerifier;
  perimeter: PerimeterPolicy;
  videos: VideoRepository;
  /** Grants and general access of each video, checked on every session, renewal, key and license. */
  grants: GrantRepository;
  /** The organisation's people and groups: whom videos can be shared with, who is in which group. Default: nobody (groups from access tokens only). */
  directory?: Directory;
  /** Each org's sharing policy unless its admins stored one; default: org access allowed, no expiry limits, editors may share. */
  sharingPolicy?: (org: string) => SharingPolicy;
  /** Where org admins' sharing policies are kept (`PUT /api/sharing-policy`); without it the policy above is fixed. */
  sharingPolicies?: SharingPolicyRepository;
  keys: KeyStore;
  media: MediaStore;
  /** The audit trail; without it `/api/audit/events` answers 404. */
  audit?: {
    store: AuditStore;
    /** Group (in the access token's `groups`) whose members read their org's trail; default `veil-admins`. */
    adminGroup?: string;
    /** How long after a token's expiry its queued events are still accepted; default 7 days. */
    lateDeliverySeconds?: number;
  };
  playbackTokens: PlaybackTokenService;
  /** Page origins (besides the service's own) allowed to call the API. */
  allowedOrigins?: readonly string[];
  watermark?: { intervalSeconds?: number; minOpacity?: number };
  /** Where unexpected errors go (never to the client); default `console.error`. */
  log?: (error: unknown) => void;
  /**
   * Rate limits, blocking and audit budgets (README "Security"); any figure can be changed. The
   * defaults are generous for real players.
   */
  rateLimits?: PartialRateLimits;
  /** Where the counters live; default this process's memory (one instance). */
  rateLimitBackend?: RateLimitBackend;
  /**
   * The client's address for per-client limits and blocking; default the peer address the Node
   * adapter saw. Behind a proxy, read the forwarded address you trust. Undefined: per-viewer only.
   */
  clientAddress?: (request: Request) => string | undefined;
  /** Called when a client gets blocked (after the `client-blocked` audit event is written). */
  onClientBlocked?: (report: BlockReport) => void;
  /** The recorder's uploads and processing (`createRecordings`); without it `/api/uploads/` answers 404. */
  recordings?: Recordings;
  /**
   * SCIM provisioning (`storage.scim`): serves `/scim/v2/`, is the default `directory`, and refuses
   * deprovisioned users a playback session or renewal (`ACCOUNT_DEPROVISIONED`).
   */
  scim?: ScimProvisioning;
}

/** Default grace for late audit delivery: events queued on an offline laptop for up to a week. */
export const DEFAULT_LATE_DELIVERY_SECONDS = 7 * 24 * 60 * 60;

export { SERVICE_PATH_PREFIXES };

function accessTokenVerifier(options: VeilServiceOptions): AccessTokenVerifier {
  if (options.verifyAccessToken) return options.verifyAccessToken;
  const verifiers = options.identity === undefined ? [] : Array.isArray(options.identity) ? options.identity : [options.identity as IdentityVerifier];
  if (verifiers.length === 0) throw new TypeError('createVeilService needs `identity` (or `verifyAccessToken`)');
  return createIdentityRegistry(verifiers);
}

/**
 * The verifier for routes that give access: a user the provisioned directory deactivated or
 * deleted is refused although their IdP token is still valid. (The audit ingest keeps the plain
 * verifier: what a deprovisioned viewer did before is still recorded.)
 */
function withoutDeprovisioned(verify: AccessTokenVerifier, scim: ScimProvisioning | undefined): AccessTokenVerifier {
  if (!scim) return verify;
  return async (token, options) => {
    const viewer = await verify(token, options);
    if (viewer.org !== undefined && (await scim.directory.deprovisioned(viewer.org, viewer.sub))) throw new VeilError('ACCOUNT_DEPROVISIONED');
    return viewer;
  };
}

/** The `client-blocked` record the server writes into the trail: the address is the actor. */
function blockRecorder(record: ServerAuditLog, onBlocked: VeilServiceOptions['onClientBlocked']) {
  return async (report: BlockReport) => {
    await record([
      {
        type: 'client-blocked',
        actor: `client:${report.address}`,
        org: '',
        video: null,
        data: { address: report.address, refusals: report.refusals, blockedSeconds: report.blockedSeconds, code: report.code },
      },
    ]);
    onBlocked?.(report);
  };
}

function auditSettings(options: VeilServiceOptions): AuditSettings | undefined {
  return (
    options.audit && {
      store: options.audit.store,
      adminGroup: options.audit.adminGroup ?? DEFAULT_AUDIT_ADMIN_GROUP,
      lateDeliverySeconds: options.audit.lateDeliverySeconds ?? DEFAULT_LATE_DELIVERY_SECONDS,
    }
  );
}

/** The service's limits (one per service: its counters are shared by all its routes). */
export function veilGuard(options: VeilServiceOptions, record: ServerAuditLog = serverAuditLog(options.audit?.store)): Guard {
  const audit = auditSettings(options);
  return createGuard({
    backend: options.rateLimitBackend ?? memoryRateLimits,
    settings: options.rateLimits,
    clientAddress: options.clientAddress ?? clientAddressOf,
    onBlocked: blockRecorder(record, options.onClientBlocked),
    auditRetentionSeconds: audit?.lateDeliverySeconds ?? DEFAULT_LATE_DELIVERY_SECONDS,
    log: options.log,
  });
}

/** The route definitions of the whole service (also what a host framework can mount itself). */
export function veilRoutes(options: VeilServiceOptions, guard?: Guard): RouteDefinition[] {
  const publicUrl = options.publicUrl.replace(/\/$/, '');
  const verifyIdentity = accessTokenVerifier(options);
  const verifyAccessToken = withoutDeprovisioned(verifyIdentity, options.scim);
  const perimeterCheck = (viewer: Parameters<typeof checkPerimeter>[0]) => checkPerimeter(viewer, options.perimeter);
  const audit = auditSettings(options);
  const record = serverAuditLog(options.audit?.store);
  guard ??= veilGuard(options, record);
  const { playbackTokens, videos, keys, media, grants } = options;
  const directory = options.directory ?? options.scim?.directory ?? new StaticDirectory([], []);
  const defaultPolicy = options.sharingPolicy ?? (() => DEFAULT_SHARING_POLICY);
  const policies = options.sharingPolicies;
  const policyFor = async (org: string) => (await policies?.get(org))?.policy ?? defaultPolicy(org);
  const authorizer = createGrantAuthorizer({ grants, directory, perimeter: options.perimeter, policyFor });
  return [
    ...playbackSessionRoutes({
      publicUrl,
      verifyAccessToken,
      checkPerimeter: perimeterCheck,
      videos,
      authorizer,
      audit: record,
      playbackTokens,
      watermark: {
        intervalSeconds: options.watermark?.intervalSeconds ?? DEFAULT_WATERMARK_INTERVAL_SECONDS,
        minOpacity: options.watermark?.minOpacity ?? DEFAULT_WATERMARK_MIN_OPACITY,
      },
      guard,
    }),
    ...mediaRoutes({ playbackTokens, videos, media, guard }),
    ...keyRoutes({ playbackTokens, videos, keys, authorizer, guard }),
    ...accessRoutes({ verifyAccessToken, videos, grants, authorizer, directory, audit: record, guard }),
    ...accessRequestRoutes({ verifyAccessToken, videos, grants, authorizer, audit: record, guard }),
    ...sharingPolicyRoutes({ verifyAccessToken, authorizer, guard, policies, defaultPolicy, grants, audit: record, adminGroup: audit?.adminGroup ?? DEFAULT_AUDIT_ADMIN_GROUP }),
    ...jwksRoutes({ playbackTokens }),
    ...auditRoutes({ audit, verifyAccessToken: verifyIdentity, checkPerimeter: perimeterCheck, playbackTokens, guard }),
    ...(options.recordings ? uploadRoutes(options.recordings.routes) : []),
    ...videoRoutes({ verifyAccessToken, checkPerimeter: perimeterCheck, videos, authorizer, recordings: options.recordings?.routes.recordings }),
    ...(options.scim ? scimRoutes({ publicUrl, store: options.scim.store, secrets: options.scim.secrets, audit: record, guard }) : []),
  ];
}

export function createVeilService(options: VeilServiceOptions): Handler {
  const publicUrl = new URL(options.publicUrl.replace(/\/$/, ''));
  const guard = veilGuard(options);
  const app = createRouter(veilRoutes(options, guard), {
    guard,
    basePath: publicUrl.pathname.replace(/\/$/, ''),
    ownOrigin: publicUrl.origin,
    allowedOrigins: options.allowedOrigins ?? [],
    log: options.log ?? console.error,
  });
  return async (request) => app.fetch(request);
}
