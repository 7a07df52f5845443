/**
 * The Node adapter writes a `jsonResponse` straight to the socket (issue 16, token service): what
 * arrives must be exactly what the web-standard response says — status, every header (cookies
 * included), the body whole with its length — and anything else still takes the streaming path.
 */
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bufferedBody, jsonResponse } from '../../src/server/http/json.js';
import { createVeilNodeServer } from '../../src/server/http/node.js';

const BODY = { token: 'a.b.c', text: 'Zoë — 名前', nested: { list: [1, 2, 3] } };

let server: Server;

function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; writes: number }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), writes: chunks.length }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  server = createVeilNodeServer(
    async (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/json') {
        const response = jsonResponse(BODY, { status: 201, headers: { 'x-extra': 'yes' } });
        // What middleware does to a response after the route: headers set on the same object.
        response.headers.set('access-control-allow-origin', 'https://app.test');
        response.headers.append('set-cookie', 'a=1');
        response.headers.append('set-cookie', 'b=2');
        return response;
      }
      if (path === '/copied') {
        const original = jsonResponse(BODY);
        return new Response(original.body, original);
      }
      if (path === '/read') {
        const response = jsonResponse(BODY);
        await response.clone().text();
        return response;
      }
      return new Response('plain text', { status: 200, headers: { 'content-type': 'text/plain' } });
    },
    { origin: 'https://video.test' },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('JSON responses through the Node adapter', () => {
  it('arrive whole: status, every header, cookies apart, the body with its byte length', async () => {
    const res = await get('/json');
    assert.equal(res.status, 201);
    assert.deepEqual(JSON.parse(res.body), BODY);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(JSON.stringify(BODY))));
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-extra'], 'yes');
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.test');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(res.headers['transfer-encoding'], undefined);
  });

  it('a copy made by middleware, a response read meanwhile and a non-JSON response still arrive intact', async () => {
    for (const path of ['/copied', '/read']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(JSON.parse(res.body), BODY, path);
    }
    const plain = await get('/other');
    assert.equal(plain.body, 'plain text');
  });

  it('only an unread response built by jsonResponse is taken as buffered', async () => {
    const response = jsonResponse(BODY);
    assert.equal(bufferedBody(response), JSON.stringify(BODY));
    assert.equal(bufferedBody(new Response(JSON.stringify(BODY))), undefined);
    await response.text();
    assert.equal(bufferedBody(response), undefined);
  });
});
