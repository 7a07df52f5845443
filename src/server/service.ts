/**
 * The Veil reference service as one web-standard handler: token service, media, keys, license.
 * Stateless apart from the video store, so it scales horizontally behind any load balancer.
 */
import type { AccessTokenVerifier } from './auth/access-token.js';
import type { AuditStore } from './audit/store.js';
import { checkPerimeter, type PerimeterPolicy } from './auth/perimeter.js';
import { withCors } from './cors.js';
import { DEFAULT_AUDIT_ADMIN_GROUP, DEFAULT_WATERMARK_INTERVAL_SECONDS, DEFAULT_WATERMARK_MIN_OPACITY } from '../protocol/defaults.js';
import { SERVICE_PATH_PREFIXES } from '../protocol/paths.js';
import { fail, toErrorResponse, type Handler } from './http.js';
import type { PlaybackTokenService } from './playback-token.js';
import { serveClearKeyLicense, serveHlsKey } from './routes/keys.js';
import { serveMedia } from './routes/media.js';
import { ingestAuditEvents, readAuditEvents } from './routes/audit.js';
import { createPlaybackSession } from './routes/playback-sessions.js';
import { serveJwks } from './routes/jwks.js';
import type { KeyStore } from './storage/keys.js';
import type { MediaStore } from './storage/media.js';
import type { VideoRepository } from './storage/videos.js';
import type { GrantRepository } from './storage/grants.js';
import type { Viewer } from '../protocol/viewer.js';
import { createGrantAuthorizer, type Authorizer } from './access/authorizer.js';
import { StaticDirectory, type Directory } from './access/directory.js';
import type { SharingPolicy } from './access/model.js';
import { serverAuditLog, type ServerAuditLog } from './audit/server-events.js';
import type { RouteDefinition } from './route-definition.js';
import { accessRoutes } from './routes/access.js';

export interface VeilServiceOptions {
  /** Origin (and optional base path) the service is reached at, e.g. `https://video.acme.example`. */
  publicUrl: string;
  verifyAccessToken: AccessTokenVerifier;
  perimeter: PerimeterPolicy;
  videos: VideoRepository;
  /** Grants and general access of each video, checked on every session, renewal, key and license. */
  grants: GrantRepository;
  /** The organisation's people and groups: whom videos can be shared with, and who is in which group. Default: nobody (groups from access tokens only). */
  directory?: Directory;
  /** Each org's sharing policy; default: org access allowed, no expiry limits, editors may share. */
  sharingPolicy?: (org: string) => SharingPolicy;
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
  log?: (error: unknown) => void;
}

export interface VeilServiceContext {
  publicUrl: string;
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: (viewer: Viewer) => void;
  authorizer: Authorizer;
  /** Records the service writes itself (refused sessions); a no-op without an audit trail. */
  serverAudit: ServerAuditLog;
  videos: VideoRepository;
  keys: KeyStore;
  media: MediaStore;
  playbackTokens: PlaybackTokenService;
  watermark: { intervalSeconds: number; minOpacity: number };
  audit?: { store: AuditStore; adminGroup: string; lateDeliverySeconds: number };
}

type Route = [method: string, pattern: RegExp, run: (request: Request, context: VeilServiceContext, ...params: string[]) => Promise<Response>];

const SEGMENT = '([^/]+)';
const STATIC_ROUTES: Route[] = [
  ['POST', /^\/api\/playback-sessions$/, createPlaybackSession],
  ['GET', new RegExp(`^/media/${SEGMENT}/${SEGMENT}$`), serveMedia],
  ['GET', new RegExp(`^/api/keys/${SEGMENT}$`), serveHlsKey],
  ['POST', new RegExp(`^/api/license/${SEGMENT}$`), serveClearKeyLicense],
  ['POST', /^\/api\/audit\/events$/, ingestAuditEvents],
  ['GET', /^\/api\/audit\/events$/, readAuditEvents],
  ['GET', /^\/api\/jwks$/, serveJwks],
];

/** Default grace for late audit delivery: events queued on an offline laptop for up to a week. */
export const DEFAULT_LATE_DELIVERY_SECONDS = 7 * 24 * 60 * 60;

export { SERVICE_PATH_PREFIXES };

/** A route module's definition in this router: `:name` parameters become capture groups, in order. */
function fromDefinition(definition: RouteDefinition): Route {
  const pattern = new RegExp(`^${definition.path.replace(/:[A-Za-z]+/g, SEGMENT)}$`);
  const names = [...definition.path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!);
  return [
    definition.method,
    pattern,
    (request, _context, ...values) => definition.handle({ request, params: Object.fromEntries(names.map((name, i) => [name, values[i] ?? ''])), url: new URL(request.url) }),
  ];
}

export function createVeilService(options: VeilServiceOptions): Handler {
  const directory = options.directory ?? new StaticDirectory([], []);
  const authorizer = createGrantAuthorizer({ grants: options.grants, directory, perimeter: options.perimeter, policyFor: options.sharingPolicy });
  const serverAudit = serverAuditLog(options.audit?.store);
  const context: VeilServiceContext = {
    publicUrl: options.publicUrl.replace(/\/$/, ''),
    verifyAccessToken: options.verifyAccessToken,
    checkPerimeter: (viewer) => checkPerimeter(viewer, options.perimeter),
    authorizer,
    serverAudit,
    videos: options.videos,
    keys: options.keys,
    media: options.media,
    playbackTokens: options.playbackTokens,
    watermark: {
      intervalSeconds: options.watermark?.intervalSeconds ?? DEFAULT_WATERMARK_INTERVAL_SECONDS,
      minOpacity: options.watermark?.minOpacity ?? DEFAULT_WATERMARK_MIN_OPACITY,
    },
  };
  if (options.audit) {
    context.audit = {
      store: options.audit.store,
      adminGroup: options.audit.adminGroup ?? DEFAULT_AUDIT_ADMIN_GROUP,
      lateDeliverySeconds: options.audit.lateDeliverySeconds ?? DEFAULT_LATE_DELIVERY_SECONDS,
    };
  }
  const basePath = new URL(context.publicUrl).pathname.replace(/\/$/, '');
  const routes = [
    ...STATIC_ROUTES,
    ...accessRoutes({ verifyAccessToken: options.verifyAccessToken, videos: options.videos, grants: options.grants, authorizer, directory, audit: serverAudit }).map(fromDefinition),
  ];

  const route: Handler = async (request) => {
    try {
      const path = new URL(request.url).pathname.slice(basePath.length);
      const methods: string[] = [];
      for (const [method, pattern, run] of routes) {
        const match = pattern.exec(path);
        if (!match) continue;
        if (request.method !== method) {
          methods.push(method);
          continue;
        }
        return await run(request, context, ...match.slice(1).map(decodeURIComponent));
      }
      if (methods.length) fail('BAD_REQUEST', `Use ${methods.join(' or ')} for ${path}.`);
      fail('NOT_FOUND', `No route for ${path}.`);
    } catch (error) {
      return toErrorResponse(error, options.log);
    }
  };
  return withCors(route, options.allowedOrigins ?? []);
}
