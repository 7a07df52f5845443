/**
 * The recorder's upload protocol through the real handler: tus 1.0 creation with the access token
 * (perimeter checked), upload tokens bound to one upload, 404 for another user's upload, sha256
 * checksums per PATCH (460, chunk discarded), deferred length, quotas (413 with a code),
 * termination, the HEAD that completes a lost final answer, and tus-js-client interop.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAuditStore } from '../../src/server/audit/sqlite-store.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as tus from 'tus-js-client';
import { toNodeListener } from '../../src/server/http/node.js';
import { randomChunk, startRecordingService, TusTestClient, type RecordingTestService } from '../support/recordings.js';

function wholeChecksum(...parts: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return `sha256 ${hash.digest('base64')}`;
}

async function code(response: Response): Promise<string> {
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('uploads', () => {
  let t: RecordingTestService;
  before(async () => {
    // The queue is not started: these uploads are random bytes, and processing is tested elsewhere.
    t = await startRecordingService({ quota: { concurrentUploads: 3, bytesPerUpload: 300_000, bytesPerUser: 1_000_000 }, start: false });
  });
  after(() => t.close());

  it('creates an upload for a member: Location, upload token, a registered restricted video still processing', async () => {
    const client = new TusTestClient(t.service);
    const response = await client.create(await t.token('alice'), { 'upload-defer-length': '1', 'upload-metadata': `title ${Buffer.from('Walkthrough').toString('base64')}` });
    assert.equal(response.status, 201, await response.clone().text());
    assert.match(client.uploadUrl, /^https:\/\/video\.test\/api\/uploads\/rec-[A-Za-z0-9_-]{24}$/);
    assert.ok(client.uploadToken);
    const video = await t.storage.videos.get(client.videoId);
    assert.deepEqual(
      { owner: video?.owner, generalAccess: video?.generalAccess, status: video?.status, title: video?.title },
      { owner: 'alice', generalAccess: 'restricted', status: 'processing', title: 'Walkthrough' },
    );
    await client.delete();
  });

  it('refuses creation without an access token (401), outside the perimeter (403), and without a length', async () => {
    const client = new TusTestClient(t.service);
    assert.equal(await code(await client.create('not-a-token')), 'ACCESS_TOKEN_INVALID');
    const outsider = await client.create(await t.token('mallory', 'globex'));
    assert.equal(outsider.status, 403);
    assert.equal(await code(outsider), 'PERIMETER_DENIED');
    const noLength = await client.create(await t.token('alice'), {});
    assert.equal(noLength.status, 400);
    assert.equal(await t.storage.recordings.usage('mallory').then((usage) => usage.unfinished), 0);
  });

  it('appends checksummed chunks and discards a damaged one with 460 (offset unchanged)', async () => {
    const client = new TusTestClient(t.service);
    await client.create(await t.token('alice'));
    const first = randomChunk(1000);
    const ok = await client.patch(0, first);
    assert.equal(ok.status, 204, await ok.clone().text());
    assert.equal(ok.headers.get('upload-offset'), '1000');

    const damaged = await client.patch(1000, randomChunk(500), { 'upload-checksum': `sha256 ${Buffer.alloc(32).toString('base64')}` });
    assert.equal(damaged.status, 460);
    assert.equal(await code(damaged), 'UPLOAD_CHECKSUM_MISMATCH');
    const head = await client.head();
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-offset'), '1000');
    assert.equal(head.headers.get('upload-defer-length'), '1');

    const missing = await client.patch(1000, randomChunk(10), { 'upload-checksum': '' });
    assert.equal(missing.status, 400);
    const wrongOffset = await client.patch(10, randomChunk(10));
    assert.equal(wrongOffset.status, 409);
    assert.equal(await code(wrongOffset), 'UPLOAD_OFFSET_MISMATCH');
    await client.delete();
  });

  it("answers 404 to another user's HEAD, PATCH and DELETE, and 401 to an access token", async () => {
    const alice = new TusTestClient(t.service);
    await alice.create(await t.token('alice'));
    const bob = new TusTestClient(t.service);
    await bob.create(await t.token('bob'));
    const intruder = new TusTestClient(t.service);
    intruder.uploadUrl = alice.uploadUrl;
    // A HEAD answer has no body (HTTP): its status says it.
    assert.equal((await intruder.head(bob.uploadToken)).status, 404);
    for (const response of [await intruder.patch(0, randomChunk(10), {}, bob.uploadToken), await intruder.delete(bob.uploadToken)]) {
      assert.equal(response.status, 404);
      assert.equal(await code(response), 'UPLOAD_NOT_FOUND');
    }
    const withAccessToken = await intruder.head(await t.token('alice'));
    assert.equal(withAccessToken.status, 401);
    assert.equal((await alice.head()).headers.get('upload-offset'), '0');
    // A fresh upload token: only for the owner.
    const renew = (token: string) => t.service(new Request(`${alice.uploadUrl}/token`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
    const renewed = await renew(await t.token('alice'));
    assert.equal(renewed.status, 201);
    const { token } = (await renewed.json()) as { token: string };
    assert.equal((await alice.head(token)).status, 200);
    assert.equal((await renew(await t.token('bob'))).status, 404);
    // bob's DELETE above left alice's upload and video alone (her own termination removes both).
    assert.equal(await t.storage.videos.get(alice.videoId).then((video) => video?.status), 'processing');
    await alice.delete();
    await bob.delete();
  });

  it('terminates an unfinished upload: gone for tus, for the quota, and its video record', async () => {
    const client = new TusTestClient(t.service);
    await client.create(await t.token('carol'));
    await client.patch(0, randomChunk(100));
    assert.equal((await t.storage.videos.get(client.videoId))?.status, 'processing');
    assert.equal((await client.delete()).status, 204);
    assert.equal((await client.head()).status, 404);
    assert.deepEqual(await t.storage.recordings.usage('carol'), { bytes: 0, unfinished: 0, seconds: 0 });
    assert.equal(await t.storage.videos.get(client.videoId), undefined);
  });

  it('enforces quotas with 413 and UPLOAD_QUOTA_EXCEEDED', async () => {
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const client = new TusTestClient(t.service);
      assert.equal((await client.create(await t.token('dave'))).status, 201);
      clients.push(client);
    }
    const fourth = await new TusTestClient(t.service).create(await t.token('dave'));
    assert.equal(fourth.status, 413);
    assert.equal(await code(fourth), 'UPLOAD_QUOTA_EXCEEDED');
    const tooBig = await clients[0]!.patch(0, randomChunk(300_001));
    assert.equal(tooBig.status, 413);
    assert.equal(await code(tooBig), 'UPLOAD_QUOTA_EXCEEDED');
    const declaredTooBig = await new TusTestClient(t.service).create(await t.token('erin'), { 'upload-length': '300001' });
    assert.equal(declaredTooBig.status, 413);
    for (const client of clients) await client.delete();
  });

  it('finishes with the final length on the last PATCH (also an empty one) and queues processing', async () => {
    const client = new TusTestClient(t.service);
    await client.create(await t.token('alice'));
    const bytes = randomChunk(4096);
    assert.equal((await client.patch(0, bytes)).status, 204);
    const final = await client.patch(4096, new Uint8Array(0), { 'upload-length': '4096' });
    assert.equal(final.status, 204, await final.clone().text());
    const job = await t.storage.recordings.getJob(client.videoId);
    assert.equal(job?.state, 'queued');
    const upload = await t.storage.recordings.getUpload(client.videoId);
    assert.equal(upload?.received, 4096);
    assert.ok(upload?.finishedAt);
    // A finished upload belongs to processing: no termination.
    assert.notEqual((await client.delete()).status, 204);
  });

  it("accepts the final PATCH only when the stored bytes hash to the whole recording's Veil-Recording-Checksum", async () => {
    const client = new TusTestClient(t.service);
    await client.create(await t.token('alice'));
    const first = randomChunk(3000);
    const last = randomChunk(1000);
    const whole = wholeChecksum(first, last);
    assert.equal((await client.patch(0, first)).status, 204);

    const wrong = await client.patch(3000, last, { 'upload-length': '4000', 'veil-recording-checksum': wholeChecksum(last, first) });
    assert.equal(wrong.status, 422);
    assert.equal(await code(wrong), 'RECORDING_CHECKSUM_MISMATCH');
    assert.equal((await client.head()).headers.get('upload-offset'), '3000');
    assert.equal(await t.storage.recordings.getJob(client.videoId), undefined);
    const malformed = await client.patch(3000, last, { 'upload-length': '4000', 'veil-recording-checksum': 'sha256 short' });
    assert.equal(malformed.status, 400);

    const right = await client.patch(3000, last, { 'upload-length': '4000', 'veil-recording-checksum': whole });
    assert.equal(right.status, 204, await right.clone().text());
    assert.equal((await t.storage.recordings.getJob(client.videoId))?.state, 'queued');
  });

  it('a HEAD that would accept a complete upload checks the whole checksum it carries first', async () => {
    const client = new TusTestClient(t.service);
    await client.create(await t.token('alice'));
    const bytes = randomChunk(2048);
    // Accepting fails once after the last byte was stored (as if the service died just then).
    const recordings = t.storage.recordings;
    const finishUpload = recordings.finishUpload;
    recordings.finishUpload = async () => {
      recordings.finishUpload = finishUpload;
      throw new Error('injected: accepting failed');
    };
    assert.equal((await client.patch(0, bytes, { 'upload-length': '2048' })).status, 500);
    assert.equal((await t.storage.recordings.getUpload(client.videoId))?.finishedAt, null);

    const head = (checksum: string) =>
      t.service(new Request(client.uploadUrl, { method: 'HEAD', headers: { authorization: `Bearer ${client.uploadToken}`, 'tus-resumable': '1.0.0', 'veil-recording-checksum': checksum } }));
    const wrong = await head(wholeChecksum(randomChunk(2048)));
    assert.equal(wrong.status, 422);
    assert.equal((await t.storage.recordings.getUpload(client.videoId))?.finishedAt, null);
    const right = await head(wholeChecksum(bytes));
    assert.equal(right.status, 200);
    assert.ok((await t.storage.recordings.getUpload(client.videoId))?.finishedAt);
  });

  it('audits the recorder: recording-started at creation, recording-recovered when it resumes, upload-completed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veil-audit-rec-'));
    const audit = new SqliteAuditStore(join(dir, 'audit.sqlite'));
    const own = await startRecordingService({ audit, start: false });
    try {
      const client = new TusTestClient(own.service);
      await client.create(await own.token('alice'));
      await client.patch(0, randomChunk(100));
      const renew = await own.service(
        new Request(`${client.uploadUrl}/token`, { method: 'POST', headers: { authorization: `Bearer ${await own.token('alice')}`, 'content-type': 'application/json' }, body: '{"recovered":true}' }),
      );
      assert.equal(renew.status, 201);
      await client.patch(100, new Uint8Array(0), { 'upload-length': '100' });
      const events = await audit.query({ org: 'acme', video: client.videoId, limit: 10 });
      assert.deepEqual(
        events.map((event) => [event.type, event.actor, event.data]),
        [
          ['recording-started', 'alice', { uploadId: client.videoId }],
          ['recording-recovered', 'alice', { uploadId: client.videoId, offset: 100 }],
          ['upload-completed', 'alice', { uploadId: client.videoId, bytes: 100 }],
        ],
      );
    } finally {
      await own.close();
      await audit.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('interoperates with tus-js-client for a plain file upload', async () => {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const origin = `http://127.0.0.1:${port}`;
    const own = await startRecordingService({ origin, start: false });
    handler = toNodeListener(own.service, { origin });
    try {
      const accessToken = await own.token('frank');
      // tus-js-client sends no checksums of its own: the hook adds one for its single PATCH.
      const bytes = Buffer.from(randomChunk(2000));
      let videoId = '';
      await new Promise<void>((resolve, reject) => {
        const upload = new tus.Upload(bytes, {
          endpoint: `http://127.0.0.1:${port}/api/uploads`,
          headers: { authorization: `Bearer ${accessToken}` },
          uploadSize: bytes.length,
          chunkSize: bytes.length,
          retryDelays: [],
          onBeforeRequest(req) {
            const method = req.getMethod();
            if (method === 'PATCH') {
              req.setHeader('authorization', `Bearer ${uploadToken}`);
              req.setHeader('upload-checksum', `sha256 ${createHash('sha256').update(bytes).digest('base64')}`);
            } else if (method === 'HEAD') req.setHeader('authorization', `Bearer ${uploadToken}`);
          },
          onAfterResponse(req, res) {
            if (req.getMethod() === 'POST') {
              uploadToken = res.getHeader('veil-upload-token') ?? '';
              videoId = res.getHeader('veil-video-id') ?? '';
            }
          },
          onError: reject,
          onSuccess: () => resolve(),
        });
        let uploadToken = '';
        upload.start();
      });
      assert.ok(videoId);
      assert.equal((await own.storage.recordings.getUpload(videoId))?.received, 2000);
      assert.equal((await own.storage.recordings.getJob(videoId))?.state, 'queued');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await own.close();
    }
  });
});
