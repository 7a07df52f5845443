/**
 * The Veil demo deployment: dev IdP, token service, media/key/license routes and demo pages on
 * one origin. `npm start` runs it; see README "Quick start".
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Hono } from 'hono';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Handler } from '../src/server/context.js';
import { jsonResponse } from '../src/server/http/json.js';
import { hardenNodeServer, nodeServerOptions, toNodeListener } from '../src/server/http/node.js';
import { createOidcVerifier } from '../src/server/identity/oidc.js';
import { checkPerimeter } from '../src/server/identity/perimeter.js';
import { createIdentityRegistry } from '../src/server/identity/registry.js';
import { serverAuditLog } from '../src/server/audit/server-events.js';
import { createRecordings } from '../src/server/uploads/recordings.js';
import type { PartialRateLimits } from '../src/server/limits/guard.js';
import { createPlaybackTokenService } from '../src/server/playback-token.js';
import { createVeilService, SERVICE_PATH_PREFIXES } from '../src/server/service.js';
import { forwardedClientAddress } from '../src/server/http/client-address.js';
import { createLogger, errorLog, withRequestLog } from '../src/server/http/request-log.js';
import { openBackends, openStorage } from './backends.js';
import { requirePrerequisites } from '../scripts/prerequisites.mjs';
import { atPort, demoConfig, type DemoConfig } from './config.js';
import { SECURITY_HEADERS } from './csp.js';
import { createDevIdp, type DevIdpOptions } from './idp/index.js';
import { demoKeks, IDP_SIGNING_KEY_FILE, loadSigningKey } from './idp/signing-key-store.js';
import { DEV_GROUPS, DEV_USERS } from './idp/users.js';
import { startGrantExpirySweep } from '../src/server/access/expiry-sweep.js';
import { provisionDevDirectory } from './provision.js';
import { startEntraMode } from './entra-mode.js';
import { entraIssuer, entraPopupRelayPage, entraRedirectPage, entraVerifiers, entraWatchPage, type DemoEntraOptions } from './entra.js';
import { auditPage, indexPage, recordPage, sharePage, videosPage, watchPage } from './pages.js';
import { grantCourse, registerSamples } from './samples.js';
import { createDemoLms } from './lms/lms.js';
import { LMS_DIRECTORY_USERS } from './lms/directory.js';
import { DEFAULT_SHARING_POLICY } from '../src/server/access/model.js';
import { createLtiTool } from '../src/server/lti/tool.js';
import { coursePrincipal } from '../src/server/lti/claims.js';
import { serveStatic } from './static.js';

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS } });
}

export interface DemoOptions {
  /** Wraps the Veil service handler (tests inject faults here; the demo itself never does). */
  wrapService?: (service: Handler) => Handler;
  /** Other rate limits than the service's defaults (the bench's token-service flood lifts them). */
  rateLimits?: PartialRateLimits;
  /** Opt-in Entra mode: sign-in at an Entra (look-alike) tenant on `/entra/watch`. */
  entra?: DemoEntraOptions;
}

/** The dev IdP of a demo at `config.origin` (also what `npm run start:cluster` runs for its replicas). */
export function demoIdpOptions(config: DemoConfig): DevIdpOptions {
  return {
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
  };
}

export async function startDemo(requested = demoConfig(), options: DemoOptions = {}) {
  const started = performance.now();
  // Storage first: a wrong or missing key-encryption key stops start-up before anything listens.
  const opened = await openStorage(requested);
  const { storage } = opened;
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
  const backends = await openBackends(config, opened).catch(async (error: unknown) => {
    server.close();
    await storage.close();
    throw error;
  });
  const { media, audit: auditStore } = backends;
  const videos = await registerSamples(config, { videos: storage.videos, keys: storage.keys, media }).catch(async (error: unknown) => {
    server.close();
    await backends.close();
    throw error;
  });
  // A replica of a cluster verifies the shared dev IdP's tokens; one machine runs its own IdP.
  const idp = config.cluster.idpJwksFile
    ? undefined
    : await createDevIdp({ ...demoIdpOptions(config), signingKey: await loadSigningKey(join(config.dataDir, IDP_SIGNING_KEY_FILE), demoKeks(config)) });
  const idpJwks = idp ? idp.jwks : (JSON.parse(readFileSync(config.cluster.idpJwksFile!, 'utf8')) as { keys: JsonWebKey[] });
  const identity = createOidcVerifier({ issuer: config.issuer, audience: config.apiResource, jwks: createLocalJWKSet(idpJwks as JSONWebKeySet) });
  // The demo LMS (demo contract): the same server reached as localhost, so another site than the tool.
  const lms = await createDemoLms({ origin: config.lmsOrigin, backchannelOrigin: config.origin, toolOrigin: config.origin, clientId: 'veil-tool', deploymentId: 'd1' });
  await storage.lti.putRegistration({ ...lms.registration, jwksUrl: `${config.origin}/lms/jwks` });
  await grantCourse(storage.grants, 'sample-course', coursePrincipal(lms.issuer, 'd1', 'c101'));
  const lti = createLtiTool({
    publicUrl: config.origin,
    store: storage.lti,
    signingKeys: storage.signingKeys,
    toolKeys: storage.ltiToolKeys,
    sessionTtlSeconds: config.ltiSessionTtlSeconds,
    assets: { scripts: ['/assets/trusted-types.js', '/veil/define.js'], styles: ['/assets/demo.css'], hlsWorkerUrl: '/veil/hls.worker.js' },
    // Deep Linking: instructors map to the provisioned directory by email (docs/lti.md).
    deepLinking: { videos: storage.videos, grants: storage.grants, directory: storage.scim.directory, policyFor: async (org) => (await storage.sharingPolicies.get(org))?.policy ?? DEFAULT_SHARING_POLICY, audit: serverAuditLog(auditStore) },
  });
  const perimeter = { issuer: config.issuer, issuers: [lti.issuer, ...(options.entra ? [entraIssuer(options.entra)] : [])], org: config.org };
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
    locker: backends.uploadLocker,
    uploadStore: backends.uploadStore,
    uploadTokenTtlSeconds: config.uploadTokenTtlSeconds,
    quota: { secondsPerUser: config.recordingSecondsPerUser },
    log: (line) => console.log(`[recordings] ${line}`),
  });
  await recordings.start();
  // Expired grants are removed and recorded (`share-expired`); access never waits for this sweep.
  const expirySweep = startGrantExpirySweep({ grants: storage.grants, audit: serverAuditLog(auditStore), intervalMs: 10_000 });
  const logger = config.cluster.jsonLogs ? createLogger(config.cluster.replica ? { replica: config.cluster.replica } : {}) : undefined;
  const baseService = createVeilService({
    publicUrl: config.origin,
    allowedOrigins: config.allowedOrigins,
    identity: [identity, lti.verifier, ...(options.entra ? entraVerifiers(options.entra, config.org, config.apiResource) : [])],
    perimeter,
    recordings,
    videos: storage.videos,
    grants: storage.grants,
    sharingPolicies: storage.sharingPolicies,
    // The directory is what SCIM provisioned (below, through the service's own endpoint).
    scim: storage.scim,
    keys: storage.keys,
    media,
    playbackTokens: createPlaybackTokenService({ issuer: config.origin, audience: `${config.origin}/media`, keys: storage.signingKeys, ttlSeconds: config.tokenTtlSeconds }),
    audit: { store: auditStore },
    rateLimits: options.rateLimits,
    rateLimitBackend: backends.rateLimits,
    log: logger && errorLog(logger),
    clientAddress: config.cluster.trustedProxies.length ? forwardedClientAddress(config.cluster.trustedProxies) : undefined,
    onClientBlocked: (report) => console.log(`[limits] ${report.address} blocked for ${report.blockedSeconds} s after ${report.refusals} refused tokens (last: ${report.code})`),
  });

  // A limit a demo client runs into is worth a line in the log (the limits are meant never to bite real players).
  const loggedService = logger ? withRequestLog(baseService, logger) : baseService;
  const limited: Handler = async (request) => {
    const response = await loggedService(request);
    if (response.status === 429) console.log(`[limits] 429 ${request.method} ${new URL(request.url).pathname} retry-after ${response.headers.get('retry-after')}`);
    return response;
  };
  const service = options.wrapService ? options.wrapService(limited) : limited;
  console.log(await provisionDevDirectory(baseService, config.origin, storage.scim.secrets, [...DEV_USERS, ...LMS_DIRECTORY_USERS], DEV_GROUPS));

  // Everything but the IdP goes through Hono: the Veil service under its path prefixes, the demo
  // pages, and static files (the built library under /veil/, demo assets under /assets/).
  const app = new Hono({ strict: true });
  for (const prefix of SERVICE_PATH_PREFIXES) app.all(`${prefix}*`, (c) => service(c.req.raw));
  app.all('/lti/*', (c) => lti.handler(c.req.raw));
  app.all('/lms/*', (c) => lms.fetch(c.req.raw));
  app.get('/', () => html(indexPage(config, videos, { entra: Boolean(options.entra) })));
  // The samples' protocols, for the watch page's engine hint.
  const sampleProtocols = new Map(videos.map((video) => [video.id, video.protocol]));
  // Without `v` this is the sign-in callback: <veil-session> restores the original URL.
  app.get('/watch', (c) => html(watchPage(config, c.req.query('v') ?? '', sampleProtocols.get(c.req.query('v') ?? ''))));
  if (options.entra) {
    const entra = options.entra;
    app.get('/entra/watch', (c) => entraWatchPage(entra, config.origin, c.req.query('v') ?? '', c.req.query('tenant')));
    app.get('/entra/redirect', () => entraRedirectPage(entra));
    app.get('/entra/entra-popup-relay.html', () => entraPopupRelayPage(entra));
  }
  // The share dialog's page (demo contract); the access document decides what it shows.
  app.get('/share', (c) => html(sharePage(config, c.req.query('v') ?? '')));
  // The admin page; the data comes from the admin API, which checks the viewer's access token.
  app.get('/audit', () => html(auditPage(config)));
  app.get('/record', (c) => html(recordPage(config, new URL(c.req.url).searchParams)));
  app.get('/videos', () => html(videosPage(config)));
  // Liveness: the process answers. Readiness: its database and object store answer, and it is not shutting down.
  let draining = false;
  app.get('/healthz', () => jsonResponse({ ok: true }));
  app.get('/readyz', async () => {
    if (draining) return jsonResponse({ ready: false, reason: 'shutting down' }, { status: 503 });
    try {
      await backends.ready();
      return jsonResponse({ ready: true });
    } catch {
      return jsonResponse({ ready: false, reason: 'storage unreachable' }, { status: 503 });
    }
  });
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
    if (idp && req.url?.startsWith(idp.mountPath)) return idp.handle(req, res);
    listener(req, res);
  };
  server.ref();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // A replica is not the demo's address (the load balancer is): it must not print the ready line.
  if (config.cluster.publicUrl) console.log(`Veil replica listening on ${requested.host}:${config.port} for ${config.origin} (started in ${seconds} s)`);
  else console.log(`Veil demo ready at ${config.origin} (started in ${seconds} s)`);
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expirySweep.stop();
    await recordings.close();
    await backends.close();
  };
  /**
   * Graceful shutdown: readiness fails at once (the balancer stops sending), no new connections,
   * requests in flight finish (up to `graceMs`), idle keep-alive connections close; then the
   * processing queue stops and the stores close.
   */
  const drain = async (graceMs = 10_000) => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
    await recordings.close();
    await backends.close();
  };
  return { server, config, videos: storage.videos, grants: storage.grants, recordings, lms, scimSecrets: storage.scim.secrets, close, drain };
}

/**
 * What `npm start` runs: the demo with the dev IdP, or with `VEIL_DEMO_IDP=entra` also the Entra
 * look-alike over HTTPS (opt-in; without the variable nothing of it starts). Stopping the demo
 * stops the look-alike too.
 */
export async function startDemoFromEnvironment(config = demoConfig(), options: DemoOptions = {}, mode = process.env.VEIL_DEMO_IDP) {
  if (mode === undefined || mode === '') return startDemo(config, options);
  if (mode !== 'entra') throw new Error(`VEIL_DEMO_IDP takes "entra" (or nothing, for the dev IdP alone), got "${mode}".`);
  const entra = await startEntraMode(config);
  const demo = await startDemo(config, { ...options, entra: entra.entra }).catch(async (error: unknown) => {
    await entra.close();
    throw error;
  });
  return {
    ...demo,
    close: async () => {
      await demo.close();
      await entra.close();
    },
    drain: async (graceMs?: number) => {
      await demo.drain(graceMs);
      await entra.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  requirePrerequisites(['ffmpeg']); // one plain line instead of a stack trace from the packager
  // `scripts/bench-cluster.ts` floods replicas' token service: it lifts that limit, and only that one.
  const unlimited = { points: 1e9, durationSeconds: 1 };
  const bench = process.env.VEIL_BENCH_UNLIMITED_TOKEN_SERVICE === '1' ? { rateLimits: { perClient: { 'token-service': unlimited }, perViewer: { 'token-service': unlimited } } } : {};
  startDemoFromEnvironment(demoConfig(), bench).then(
    (demo) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          console.log(`[shutdown] ${signal}: finishing requests in flight`);
          demo.drain().then(
            () => process.exit(0),
            (error: unknown) => {
              console.error(error);
              process.exit(1);
            },
          );
        });
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
