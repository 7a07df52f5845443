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
import type { PlaybackTokenService } from './playback-token.js';
import { createRouter } from './router.js';
import { auditRoutes } from './routes/audit.js';
import { keyRoutes } from './routes/keys.js';
import { mediaRoutes } from './routes/media.js';
import { playbackSessionRoutes } from './routes/playback-sessions.js';
import type { VideoStore } from './videos.js';

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
  videos: VideoStore;
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
}

/** Default grace for late audit delivery: events queued on an offline laptop for up to a week. */
const DEFAULT_LATE_DELIVERY_SECONDS = 7 * 24 * 60 * 60;

export { SERVICE_PATH_PREFIXES };

function accessTokenVerifier(options: VeilServiceOptions): AccessTokenVerifier {
  if (options.verifyAccessToken) return options.verifyAccessToken;
  const verifiers = options.identity === undefined ? [] : Array.isArray(options.identity) ? options.identity : [options.identity as IdentityVerifier];
  if (verifiers.length === 0) throw new TypeError('createVeilService needs `identity` (or `verifyAccessToken`)');
  return createIdentityRegistry(verifiers);
}

/** The route definitions of the whole service (also what a host framework can mount itself). */
export function veilRoutes(options: VeilServiceOptions): RouteDefinition[] {
  const publicUrl = options.publicUrl.replace(/\/$/, '');
  const verifyAccessToken = accessTokenVerifier(options);
  const perimeterCheck = (viewer: Parameters<typeof checkPerimeter>[0]) => checkPerimeter(viewer, options.perimeter);
  const audit: AuditSettings | undefined = options.audit && {
    store: options.audit.store,
    adminGroup: options.audit.adminGroup ?? DEFAULT_AUDIT_ADMIN_GROUP,
    lateDeliverySeconds: options.audit.lateDeliverySeconds ?? DEFAULT_LATE_DELIVERY_SECONDS,
  };
  const { playbackTokens, videos } = options;
  return [
    ...playbackSessionRoutes({
      publicUrl,
      verifyAccessToken,
      checkPerimeter: perimeterCheck,
      videos,
      playbackTokens,
      watermark: {
        intervalSeconds: options.watermark?.intervalSeconds ?? DEFAULT_WATERMARK_INTERVAL_SECONDS,
        minOpacity: options.watermark?.minOpacity ?? DEFAULT_WATERMARK_MIN_OPACITY,
      },
    }),
    ...mediaRoutes({ playbackTokens, videos }),
    ...keyRoutes({ playbackTokens, videos }),
    ...auditRoutes({ audit, verifyAccessToken, checkPerimeter: perimeterCheck, playbackTokens }),
  ];
}

export function createVeilService(options: VeilServiceOptions): Handler {
  const publicUrl = new URL(options.publicUrl.replace(/\/$/, ''));
  const app = createRouter(veilRoutes(options), {
    basePath: publicUrl.pathname.replace(/\/$/, ''),
    ownOrigin: publicUrl.origin,
    allowedOrigins: options.allowedOrigins ?? [],
    log: options.log ?? console.error,
  });
  return async (request) => app.fetch(request);
}
