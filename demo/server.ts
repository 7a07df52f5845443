/**
 * The Veil demo deployment: dev IdP, token service, media/key/license routes and demo pages on
 * one origin. `npm start` runs it; see README "Quick start".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, generateKeyPair } from 'jose';
import { createAccessTokenVerifier } from '../src/server/auth/access-token.js';
import { jsonResponse, type Handler } from '../src/server/http.js';
import { sendWebResponse, toWebRequest } from '../src/server/node-adapter.js';
import { SqliteAuditStore } from '../src/server/audit/sqlite-store.js';
import { ensureSampleMedia } from '../src/server/packaging/index.js';
import { createPlaybackTokenService } from '../src/server/playback-token.js';
import { createVeilService, SERVICE_PATH_PREFIXES } from '../src/server/service.js';
import { MemoryVideoStore, type VideoRecord } from '../src/server/videos.js';
import { apiUrls } from '../src/protocol/paths.js';
import { atPort, demoConfig, type DemoConfig } from './config.js';
import { SECURITY_HEADERS } from './csp.js';
import { createDevIdp } from './idp/index.js';
import { auditPage, indexPage, watchPage } from './pages.js';
import { serveStatic } from './static.js';

const OWNER = 'alice@acme.test';

async function sampleVideos(config: DemoConfig): Promise<VideoRecord[]> {
  const media = await ensureSampleMedia(config.cacheDir, { hlsKeyUri: new URL(apiUrls(config.origin).hlsKey('sample-hls')).pathname, log: (line: string) => console.log(`[media] ${line}`) });
  const common = { owner: OWNER, org: config.org, audience: 'org' as const };
  return [
    {
      ...common,
      id: 'sample-dash',
      title: 'Sample (CENC DASH, ClearKey)',
      protocol: 'dash',
      mediaDir: media.dash.dir,
      manifest: media.dash.manifest,
      protection: { scheme: 'cenc', keys: [{ kid: media.dash.kid, key: media.dash.key }] },
    },
    {
      ...common,
      id: 'sample-hls',
      title: 'Sample (AES-128 HLS)',
      protocol: 'hls',
      mediaDir: media.hls.dir,
      manifest: media.hls.master,
      protection: { scheme: 'hls-aes-128', key: media.hls.key },
    },
  ];
}

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS } });
}

export interface DemoOptions {
  /** Wraps the Veil service handler (tests inject faults here; the demo itself never does). */
  wrapService?: (service: Handler) => Handler;
}

export async function startDemo(requested = demoConfig(), options: DemoOptions = {}) {
  const started = performance.now();
  // Listen before anything names the origin: on port 0 the OS picks the port, and the issuer,
  // redirect URIs and token issuer must carry the real one. Until the demo is ready it answers
  // 503, unref'd so that a start-up failure does not leave a process held open by it.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503, { 'retry-after': '1' }).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(requested.port, requested.host, resolve));
  server.unref();
  const config = atPort(requested, (server.address() as AddressInfo).port);
  const videos = await sampleVideos(config);
  const idp = await createDevIdp({
    issuer: config.issuer,
    apiResource: config.apiResource,
    clients: [
      {
        client_id: 'veil-demo',
        redirect_uris: [`${config.origin}/watch`, `${config.origin}/audit`],
        post_logout_redirect_uris: [`${config.origin}/`],
      },
    ],
  });
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const auditStore = new SqliteAuditStore(config.auditDb);
  const videoStore = new MemoryVideoStore(videos);
  const baseService = createVeilService({
    publicUrl: config.origin,
    verifyAccessToken: createAccessTokenVerifier({ issuer: config.issuer, audience: config.apiResource, jwks: createLocalJWKSet(idp.jwks) }),
    perimeter: { issuer: config.issuer, org: config.org },
    videos: videoStore,
    playbackTokens: createPlaybackTokenService({ issuer: config.origin, audience: `${config.origin}/media`, privateKey, publicKey, ttlSeconds: config.tokenTtlSeconds }),
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
    await auditStore.close();
  };
  return { server, config, videos: videoStore, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startDemo().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
