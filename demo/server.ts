/**
 * The Veil demo deployment: dev IdP, token service, media/key/license routes and demo pages on
 * one origin. `npm start` runs it; see README "Quick start".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet } from 'jose';
import { createAccessTokenVerifier } from '../src/server/auth/access-token.js';
import { jsonResponse, type Handler } from '../src/server/http.js';
import { sendWebResponse, toWebRequest } from '../src/server/node-adapter.js';
import { SqliteAuditStore } from '../src/server/audit/sqlite-store.js';
import { createPlaybackTokenService, signingKeyRetentionSeconds } from '../src/server/playback-token.js';
import { checkPerimeter } from '../src/server/auth/perimeter.js';
import { serverAudit } from '../src/server/audit/server-events.js';
import { createRecordings } from '../src/server/uploads/recordings.js';
import { createVeilService, DEFAULT_LATE_DELIVERY_SECONDS, SERVICE_PATH_PREFIXES } from '../src/server/service.js';
import { FsMediaStore } from '../src/server/storage/fs-media-store.js';
import { openSqliteStorage } from '../src/server/storage/sqlite.js';
import { atPort, demoConfig } from './config.js';
import { SECURITY_HEADERS } from './csp.js';
import { createDevIdp } from './idp/index.js';
import { auditPage, indexPage, recordPage, videosPage, watchPage } from './pages.js';
import { registerSamples } from './samples.js';
import { serveStatic } from './static.js';

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS } });
}

export interface DemoOptions {
  /** Wraps the Veil service handler (tests inject faults here; the demo itself never does). */
  wrapService?: (service: Handler) => Handler;
}

export async function startDemo(requested = demoConfig(), options: DemoOptions = {}) {
  const started = performance.now();
  // Storage first: a wrong or missing key-encryption key stops start-up before anything listens.
  const storage = await openSqliteStorage({
    file: requested.db,
    kek: { base64: requested.kek, previousBase64: requested.previousKeks },
    signingKeyRetentionSeconds: signingKeyRetentionSeconds(DEFAULT_LATE_DELIVERY_SECONDS),
  });
  // Then listen, before anything names the origin: on port 0 the OS picks the port, and the
  // issuer, redirect URIs and token issuer must carry the real one. Until the demo is ready it
  // answers 503, unref'd so that a start-up failure does not leave a process held open by it.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503, { 'retry-after': '1' }).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(requested.port, requested.host, resolve)).catch(async (error: unknown) => {
    await storage.close();
    throw error;
  });
  server.unref();
  const config = atPort(requested, (server.address() as AddressInfo).port);
  const media = new FsMediaStore(config.mediaDir);
  const videos = await registerSamples(config, { videos: storage.videos, keys: storage.keys, media }).catch(async (error: unknown) => {
    server.close();
    await storage.close();
    throw error;
  });
  const idp = await createDevIdp({
    issuer: config.issuer,
    apiResource: config.apiResource,
    clients: [
      {
        client_id: 'veil-demo',
        redirect_uris: [`${config.origin}/watch`, `${config.origin}/audit`, `${config.origin}/record`, `${config.origin}/videos`],
        post_logout_redirect_uris: [`${config.origin}/`],
      },
    ],
  });
  const auditStore = new SqliteAuditStore(config.auditDb);
  const verifyAccessToken = createAccessTokenVerifier({ issuer: config.issuer, audience: config.apiResource, jwks: createLocalJWKSet(idp.jwks) });
  const perimeter = { issuer: config.issuer, org: config.org };
  const recordings = createRecordings({
    publicUrl: config.origin,
    uploadDir: config.uploadDir,
    recordings: storage.recordings,
    videos: storage.videos,
    keys: storage.keys,
    media,
    signingKeys: storage.signingKeys,
    verifyAccessToken,
    checkPerimeter: (viewer) => checkPerimeter(viewer, perimeter),
    audit: serverAudit(auditStore),
    workers: config.workers,
    log: (line) => console.log(`[recordings] ${line}`),
  });
  await recordings.start();
  const baseService = createVeilService({
    publicUrl: config.origin,
    verifyAccessToken,
    perimeter,
    recordings,
    videos: storage.videos,
    keys: storage.keys,
    media,
    playbackTokens: createPlaybackTokenService({ issuer: config.origin, audience: `${config.origin}/media`, keys: storage.signingKeys, ttlSeconds: config.tokenTtlSeconds }),
    audit: { store: auditStore },
  });

  const service = options.wrapService ? options.wrapService(baseService) : baseService;

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    if (SERVICE_PATH_PREFIXES.some((prefix) => path.startsWith(prefix))) return service(request);
    if (request.method !== 'GET' && request.method !== 'HEAD') return jsonResponse({ error: { code: 'NOT_FOUND' } }, { status: 404 });
    if (path === '/') return html(indexPage(videos));
    if (path === '/watch') {
      const videoId = url.searchParams.get('v');
      // Without `v` this is the sign-in callback: <veil-session> restores the original URL.
      return html(watchPage(config, videoId ?? ''));
    }
    // The admin page; the data comes from the admin API, which checks the viewer's access token.
    if (path === '/audit') return html(auditPage(config));
    if (path === '/record') return html(recordPage(config, url.searchParams));
    if (path === '/videos') return html(videosPage(config));
    if (path === '/healthz') return jsonResponse({ ok: true });
    const asset =
      (path.startsWith('/veil/') && (await serveStatic(config.distDir, path.slice('/veil/'.length)))) ||
      (path.startsWith('/assets/') && (await serveStatic(config.publicDir, path.slice('/assets/'.length))));
    return asset || new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  handle = (req, res) => {
    if (req.url?.startsWith(idp.mountPath)) return idp.handle(req, res);
    route(toWebRequest(req, config.origin))
      .then((response) => sendWebResponse(res, response))
      .catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'SERVER_ERROR' } }));
      });
  };
  server.ref();
  console.log(`Veil demo ready at ${config.origin} (started in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await recordings.close();
    await auditStore.close();
    await storage.close();
  };
  return { server, config, videos: storage.videos, recordings, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startDemo().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
