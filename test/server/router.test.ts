/**
 * The router and the HTTP plumbing: named parameters, 405 with `Allow`, per-route CORS (ready for
 * tus: PATCH/HEAD/DELETE, `Upload-*`/`Tus-*` request headers, `Location` exposed), secure headers
 * and streaming responses through the Node adapter (nothing buffered whole).
 */
import assert from 'node:assert/strict';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RouteDefinition } from '../../src/server/context.js';
import { jsonResponse } from '../../src/server/http/json.js';
import { toNodeListener } from '../../src/server/http/node.js';
import { createRouter } from '../../src/server/router.js';

const ORIGIN = 'https://video.test';
const PAGE = 'https://intranet.test';

/** A tus-like upload resource, to show the router can carry one. */
const uploads: RouteDefinition[] = [
  { path: '/api/uploads', method: 'POST', handle: async () => new Response(null, { status: 201, headers: { location: `${ORIGIN}/api/uploads/u1`, 'tus-resumable': '1.0.0' } }), requestHeaders: ['Upload-Length', 'Upload-Metadata', 'Tus-Resumable'], exposedHeaders: ['Location', 'Tus-Resumable'] },
  { path: '/api/uploads/:uploadId', method: 'HEAD', handle: async ({ params }) => new Response(null, { headers: { 'upload-offset': '0', 'x-id': params.uploadId ?? '' } }), exposedHeaders: ['Upload-Offset', 'Upload-Length'] },
  { path: '/api/uploads/:uploadId', method: 'PATCH', handle: async () => new Response(null, { status: 204, headers: { 'upload-offset': '10' } }), requestHeaders: ['Upload-Offset', 'Tus-Resumable'], exposedHeaders: ['Upload-Offset'] },
  { path: '/api/uploads/:uploadId', method: 'DELETE', handle: async () => new Response(null, { status: 204 }) },
  { path: '/api/things/:a/:b', method: 'GET', handle: async ({ params }) => jsonResponse(params) },
];

const app = createRouter(uploads, { basePath: '', ownOrigin: ORIGIN, allowedOrigins: [PAGE], log: () => undefined });
const call = (method: string, path: string, headers: Record<string, string> = {}) => app.fetch(new Request(`${ORIGIN}${path}`, { method, headers }));

describe('router', () => {
  it('passes named, decoded path parameters', async () => {
    const response = await call('GET', '/api/things/x%20y/%C3%A9');
    assert.deepEqual(await response.json(), { a: 'x y', b: 'é' });
  });

  it('answers a wrong method with 405 and the Allow header (GET implies HEAD)', async () => {
    const response = await call('POST', '/api/things/a/b');
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
    const head = await call('HEAD', '/api/things/a/b');
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await call('GET', '/api/nothing');
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  });

  it('puts secure headers on every response', async () => {
    for (const response of [await call('GET', '/api/things/a/b'), await call('GET', '/nope'), await call('POST', '/api/things/a/b')]) {
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    }
  });
});

describe('CORS per route (ready for tus)', () => {
  it('preflights with the methods and request headers of the path', async () => {
    const preflight = await call('OPTIONS', '/api/uploads/u1', { origin: PAGE, 'access-control-request-method': 'PATCH' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'HEAD, PATCH, DELETE, OPTIONS');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'authorization, content-type, upload-offset, tus-resumable');
    const create = await call('OPTIONS', '/api/uploads', { origin: PAGE, 'access-control-request-method': 'POST' });
    assert.equal(create.headers.get('access-control-allow-headers'), 'authorization, content-type, upload-length, upload-metadata, tus-resumable');
  });

  it('exposes the headers each route declares', async () => {
    const created = await call('POST', '/api/uploads', { origin: PAGE });
    assert.equal(created.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(created.headers.get('access-control-expose-headers'), 'Location, Tus-Resumable');
    const head = await call('HEAD', '/api/uploads/u1', { origin: PAGE });
    assert.equal(head.headers.get('access-control-expose-headers'), 'Upload-Offset, Upload-Length');
    assert.equal(head.headers.get('x-id'), 'u1');
    const patched = await call('PATCH', '/api/uploads/u1', { origin: PAGE });
    assert.equal(patched.headers.get('access-control-expose-headers'), 'Upload-Offset');
    // Same-origin requests need no CORS headers at all.
    assert.equal((await call('POST', '/api/uploads')).headers.get('access-control-allow-origin'), null);
  });

  it('refuses origins off the allowlist before any route runs, and says Vary: Origin', async () => {
    const refused = await call('PATCH', '/api/uploads/u1', { origin: 'https://evil.test' });
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('vary') ?? '', /Origin/);
    assert.match((await call('GET', '/api/things/a/b', { origin: PAGE })).headers.get('vary') ?? '', /Origin/);
  });
});

describe('Node adapter', () => {
  let server: Server;
  let release: () => void = () => undefined;

  before(async () => {
    const streaming: RouteDefinition = {
      path: '/api/stream',
      method: 'GET',
      // The first chunk now, the rest only once the test has seen the first one arrive.
      handle: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('first;'));
              await new Promise<void>((resolve) => (release = resolve));
              controller.enqueue(new TextEncoder().encode('second'));
              controller.close();
            },
          }),
          { headers: { 'content-type': 'text/plain' } },
        ),
    };
    const router = createRouter([streaming], { basePath: '', ownOrigin: ORIGIN, allowedOrigins: [], log: () => undefined });
    server = createServer(toNodeListener(async (request) => router.fetch(request), { origin: ORIGIN }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('streams a response body: the first chunk arrives before the body is complete', async () => {
    const { port } = server.address() as AddressInfo;
    const chunks = await new Promise<string[]>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/api/stream' }, (res) => {
        const seen: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          seen.push(chunk);
          if (seen.length === 1) release();
        });
        res.on('end', () => resolve(seen));
      }).on('error', reject);
    });
    assert.equal(chunks[0], 'first;');
    assert.equal(chunks.join(''), 'first;second');
  });
});
