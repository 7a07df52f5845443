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
import type { Viewer } from '../protocol/viewer.js';
import { createUpload, handleUpload, renewUploadToken } from './routes/uploads.js';
import { listVideos, videoStatus, type VideoRouteDeps } from './routes/videos.js';
import type { Recordings } from './uploads/recordings.js';

export interface VeilServiceOptions {
  /** Origin (and optional base path) the service is reached at, e.g. `https://video.acme.example`. */
  publicUrl: string;
  verifyAccessToken: AccessTokenVerifier;
  perimeter: PerimeterPolicy;
  videos: VideoRepository;
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
  /** The recorder's uploads and processing (`createRecordings`); without it `/api/uploads/` answers 404. */
  recordings?: Recordings;
}

export interface VeilServiceContext {
  publicUrl: string;
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: (viewer: Viewer) => void;
  videos: VideoRepository;
  keys: KeyStore;
  media: MediaStore;
  playbackTokens: PlaybackTokenService;
  watermark: { intervalSeconds: number; minOpacity: number };
  audit?: { store: AuditStore; adminGroup: string; lateDeliverySeconds: number };
  recordings?: Recordings;
}

/** A route of the recorder's, which exists only when the service has recordings. */
function withRecordings(run: (request: Request, recordings: Recordings, ...params: string[]) => Promise<Response>): Route[2] {
  return (request, context, ...params) => {
    if (!context.recordings) fail('NOT_FOUND', 'This service takes no recordings.');
    return run(request, context.recordings, ...params);
  };
}

function videoDeps(context: VeilServiceContext): VideoRouteDeps {
  return { ...context, recordings: context.recordings?.routes.recordings };
}

type Route = [method: string, pattern: RegExp, run: (request: Request, context: VeilServiceContext, ...params: string[]) => Promise<Response>];

const SEGMENT = '([^/]+)';
const ROUTES: Route[] = [
  ['POST', /^\/api\/playback-sessions$/, createPlaybackSession],
  ['GET', new RegExp(`^/media/${SEGMENT}/${SEGMENT}$`), serveMedia],
  ['GET', new RegExp(`^/api/keys/${SEGMENT}$`), serveHlsKey],
  ['POST', new RegExp(`^/api/license/${SEGMENT}$`), serveClearKeyLicense],
  ['POST', /^\/api\/audit\/events$/, ingestAuditEvents],
  ['GET', /^\/api\/audit\/events$/, readAuditEvents],
  ['GET', /^\/api\/jwks$/, serveJwks],
  ['POST', /^\/api\/uploads$/, withRecordings((request, recordings) => createUpload(request, recordings.routes))],
  ['POST', new RegExp(`^/api/uploads/${SEGMENT}/token$`), withRecordings((request, recordings, id) => renewUploadToken(request, recordings.routes, id!))],
  ...(['HEAD', 'PATCH', 'DELETE'] as const).map((method): Route => [method, new RegExp(`^/api/uploads/${SEGMENT}$`), withRecordings((request, recordings, id) => handleUpload(request, recordings.routes, id!))]),
  ['GET', /^\/api\/videos$/, (request, context) => listVideos(request, videoDeps(context))],
  ['GET', new RegExp(`^/api/videos/${SEGMENT}$`), (request, context, id) => videoStatus(request, videoDeps(context), id!)],
];

/** Default grace for late audit delivery: events queued on an offline laptop for up to a week. */
export const DEFAULT_LATE_DELIVERY_SECONDS = 7 * 24 * 60 * 60;

export { SERVICE_PATH_PREFIXES };

export function createVeilService(options: VeilServiceOptions): Handler {
  const context: VeilServiceContext = {
    publicUrl: options.publicUrl.replace(/\/$/, ''),
    verifyAccessToken: options.verifyAccessToken,
    checkPerimeter: (viewer) => checkPerimeter(viewer, options.perimeter),
    videos: options.videos,
    keys: options.keys,
    media: options.media,
    playbackTokens: options.playbackTokens,
    recordings: options.recordings,
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

  const route: Handler = async (request) => {
    try {
      const path = new URL(request.url).pathname.slice(basePath.length);
      const methods: string[] = [];
      for (const [method, pattern, run] of ROUTES) {
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
