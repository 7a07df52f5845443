/**
 * The Veil reference service as one web-standard handler: token service, media, keys, license.
 * Stateless apart from the video store, so it scales horizontally behind any load balancer.
 */
import type { ViewerIdentity } from './auth/access-token.js';
import { checkPerimeter, type PerimeterPolicy } from './auth/perimeter.js';
import { withCors } from './cors.js';
import { fail, toErrorResponse, type Handler } from './http.js';
import type { PlaybackTokenService } from './playback-token.js';
import { serveClearKeyLicense, serveHlsKey } from './routes/keys.js';
import { serveMedia } from './routes/media.js';
import { createPlaybackSession } from './routes/playback-sessions.js';
import type { VideoStore } from './videos.js';

export interface VeilServiceOptions {
  /** Origin (and optional base path) the service is reached at, e.g. `https://video.acme.example`. */
  publicUrl: string;
  verifyAccessToken: (token: string | undefined) => Promise<ViewerIdentity>;
  perimeter: PerimeterPolicy;
  videos: VideoStore;
  playbackTokens: PlaybackTokenService;
  /** Page origins (besides the service's own) allowed to call the API. */
  allowedOrigins?: readonly string[];
  watermark?: { intervalSeconds?: number; minOpacity?: number };
  log?: (error: unknown) => void;
}

export interface VeilServiceContext {
  publicUrl: string;
  verifyAccessToken: (token: string | undefined) => Promise<ViewerIdentity>;
  checkPerimeter: (viewer: ViewerIdentity) => void;
  videos: VideoStore;
  playbackTokens: PlaybackTokenService;
  watermark: { intervalSeconds: number; minOpacity: number };
}

type Route = [method: string, pattern: RegExp, run: (request: Request, context: VeilServiceContext, ...params: string[]) => Promise<Response>];

const SEGMENT = '([^/]+)';
const ROUTES: Route[] = [
  ['POST', /^\/api\/playback-sessions$/, createPlaybackSession],
  ['GET', new RegExp(`^/media/${SEGMENT}/${SEGMENT}$`), serveMedia],
  ['GET', new RegExp(`^/api/keys/${SEGMENT}$`), serveHlsKey],
  ['POST', new RegExp(`^/api/license/${SEGMENT}$`), serveClearKeyLicense],
];

/** Paths this service answers; a host server forwards these to the handler. */
export const SERVICE_PATH_PREFIXES = ['/api/', '/media/'] as const;

export function createVeilService(options: VeilServiceOptions): Handler {
  const context: VeilServiceContext = {
    publicUrl: options.publicUrl.replace(/\/$/, ''),
    verifyAccessToken: options.verifyAccessToken,
    checkPerimeter: (viewer) => checkPerimeter(viewer, options.perimeter),
    videos: options.videos,
    playbackTokens: options.playbackTokens,
    watermark: { intervalSeconds: options.watermark?.intervalSeconds ?? 8, minOpacity: options.watermark?.minOpacity ?? 0.35 },
  };
  const basePath = new URL(context.publicUrl).pathname.replace(/\/$/, '');

  const route: Handler = async (request) => {
    try {
      const path = new URL(request.url).pathname.slice(basePath.length);
      for (const [method, pattern, run] of ROUTES) {
        const match = pattern.exec(path);
        if (!match) continue;
        if (request.method !== method) fail('BAD_REQUEST', `Use ${method} for ${path}.`);
        return await run(request, context, ...match.slice(1).map(decodeURIComponent));
      }
      fail('NOT_FOUND', `No route for ${path}.`);
    } catch (error) {
      return toErrorResponse(error, options.log);
    }
  };
  return withCors(route, options.allowedOrigins ?? []);
}
