/**
 * The Veil demo deployment: dev IdP, token service, media/key/license routes and demo pages on
 * one origin. `npm start` runs it; see README "Quick start".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { createLocalJWKSet } from 'jose';
import type { Handler } from '../src/server/context.js';
import { jsonResponse } from '../src/server/http/json.js';
import { hardenNodeServer, nodeServerOptions, toNodeListener } from '../src/server/http/node.js';
import { createOidcVerifier } from '../src/server/identity/oidc.js';
import { checkPerimeter } from '../src/server/identity/perimeter.js';
import { createIdentityRegistry } from '../src/server/identity/registry.js';
import { serverAuditLog } from '../src/server/audit/server-events.js';
import { createRecordings } from '../src/server/uploads/recordings.js';
import type { PartialRateLimits } from '../src/server/limits/guard.js';
import { SqliteAuditStore } from '../src/server/audit/sqlite-store.js';
import { createPlaybackTokenService, signingKeyRetentionSeconds } from '../src/server/playback-token.js';
import { createVeilService, DEFAULT_LATE_DELIVERY_SECONDS, SERVICE_PATH_PREFIXES } from '../src/server/service.js';
import { FsMediaStore } from '../src/server/storage/fs-media-store.js';
import { openSqliteStorage } from '../src/server/storage/sqlite.js';
import { requirePrerequisites } from '../scripts/prerequisites.mjs';
import { atPort, demoConfig } from './config.js';
import { SECURITY_HEADERS } from './csp.js';
import { createDevIdp } from './idp/index.js';
import { DEV_GROUPS, DEV_USERS } from './idp/users.js';
import { StaticDirectory } from '../src/server/access/directory.js';
import { auditPage, indexPage, recordPage, sharePage, videosPage, watchPage } from './pages.js';
import { registerSamples } from './samples.js';
import { serveStatic } from './static.js';

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS } });
}

export interface DemoOptions {
  /** Wraps the Veil service handler (tests inject faults here; the demo itself never does). */
  wrapService?: (service: Handler) => Handler;
  /** Other rate limits than the service's defaults (the bench's token-service flood lifts them). */
  rateLimits?: PartialRateLimits;
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
  const server = hardenNodeServer(createServer(nodeServerOptions(), (req, res) => handle(req, res)));
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
        redirect_uris: [`${config.origin}/`, `${config.origin}/watch`, `${config.origin}/audit`, `${config.origin}/share`, `${config.origin}/record`, `${config.origin}/videos`],
        post_logout_redirect_uris: [`${config.origin}/`],
        redirect_origins: config.allowedOrigins,
      },
    ],
  });
  const auditStore = new SqliteAuditStore(config.auditDb);
  const identity = createOidcVerifier({ issuer: config.issuer, audience: config.apiResource, jwks: createLocalJWKSet(idp.jwks) });
  const perimeter = { issuer: config.issuer, org: config.org };
  const recordings = createRecordings({
    publicUrl: config.origin,
    uploadDir: config.uploadDir,
    recordings: storage.recordings,
    videos: storage.videos,
    keys: storage.keys,
    media,
    signingKeys: storage.signingKeys,
    verifyAccessToken: createIdentityRegistry([identity]),
    checkPerimeter: (viewer) => checkPerimeter(viewer, perimeter),
    audit: serverAuditLog(auditStore),
    workers: config.workers,
    log: (line) => console.log(`[recordings] ${line}`),
  });
  await recordings.start();
  const baseService = createVeilService({
    publicUrl: config.origin,
    allowedOrigins: config.allowedOrigins,
    identity,
    perimeter,
    recordings,
    videos: storage.videos,
    grants: storage.grants,
    directory: new StaticDirectory(DEV_USERS, DEV_GROUPS),
    keys: storage.keys,
    media,
    playbackTokens: createPlaybackTokenService({ issuer: config.origin, audience: `${config.origin}/media`, keys: storage.signingKeys, ttlSeconds: config.tokenTtlSeconds }),
    audit: { store: auditStore },
    rateLimits: options.rateLimits,
    onClientBlocked: (report) => console.log(`[limits] ${report.address} blocked for ${report.blockedSeconds} s after ${report.refusals} refused tokens (last: ${report.code})`),
  });

  // A limit a demo client runs into is worth a line in the log (the limits are meant never to bite real players).
  const limited: Handler = async (request) => {
    const response = await baseService(request);
    if (response.status === 429) console.log(`[limits] 429 ${request.method} ${new URL(request.url).pathname} retry-after ${response.headers.get('retry-after')}`);
    return response;
  };
  const service = options.wrapService ? options.wrapService(limited) : limited;

  // Everything but the IdP goes through Hono: the Veil service under its path prefixes, the demo
  // pages, and static files (the built library under /veil/, demo assets under /assets/).
  const app = new Hono({ strict: true });
  for (const prefix of SERVICE_PATH_PREFIXES) app.all(`${prefix}*`, (c) => service(c.req.raw));
  app.get('/', () => html(indexPage(config, videos)));
  // Without `v` this is the sign-in callback: <veil-session> restores the original URL.
  app.get('/watch', (c) => html(watchPage(config, c.req.query('v') ?? '')));
  // The share dialog's page (demo contract); the access document decides what it shows.
  app.get('/share', (c) => html(sharePage(config, c.req.query('v') ?? '')));
  // The admin page; the data comes from the admin API, which checks the viewer's access token.
  app.get('/audit', () => html(auditPage(config)));
  app.get('/record', (c) => html(recordPage(config, new URL(c.req.url).searchParams)));
  app.get('/videos', () => html(videosPage(config)));
  app.get('/healthz', () => jsonResponse({ ok: true }));
  const notFound = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  app.get('/veil/*', async (c) => (await serveStatic(config.distDir, c.req.path.slice('/veil/'.length))) ?? notFound());
  app.get('/assets/*', async (c) => (await serveStatic(config.publicDir, c.req.path.slice('/assets/'.length))) ?? notFound());
  app.notFound((c) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? notFound() : jsonResponse({ error: { code: 'NOT_FOUND' } }, { status: 404 })));
  app.onError((error) => {
    console.error(error);
    return jsonResponse({ error: { code: 'SERVER_ERROR' } }, { status: 500 });
  });

  // oidc-provider needs the raw Node request and response: it stays mounted beside Hono.
  const listener = toNodeListener(async (request) => app.fetch(request), { origin: config.origin });
  handle = (req, res) => {
    if (req.url?.startsWith(idp.mountPath)) return idp.handle(req, res);
    listener(req, res);
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
  return { server, config, videos: storage.videos, grants: storage.grants, recordings, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  requirePrerequisites(['ffmpeg']); // one plain line instead of a stack trace from the packager
  startDemo().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
