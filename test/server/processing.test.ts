/**
 * Processing of finished uploads with real ffmpeg: a recorder's fragmented MP4 (H.264 + Opus) is
 * remuxed, a WebM (VP8 + Opus) transcoded, both packaged as CENC DASH (and AES-128 HLS: see
 * processing-presentations.test.ts) with their keys in the KeyStore and registered ready, owned by the uploader, restricted. Hostile uploads end `failed`
 * with their code and nothing registered; a restarted queue resumes an interrupted job.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { ProcessingJob } from '../../src/server/storage/recordings.js';
import { ORIGIN, randomChunk, recordingFixture, startRecordingService, TusTestClient, type RecordingTestService } from '../support/recordings.js';

const exec = promisify(execFile);

async function until(t: RecordingTestService, videoId: string, states: ProcessingJob['state'][]): Promise<ProcessingJob> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const job = await t.storage.recordings.getJob(videoId);
    if (job && states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${videoId} stuck in ${job?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function upload(t: RecordingTestService, bytes: Uint8Array, sub = 'alice'): Promise<string> {
  const client = new TusTestClient(t.service);
  assert.equal((await client.create(await t.token(sub))).status, 201);
  const response = bytes.length ? await client.uploadAll(bytes) : await client.patch(0, bytes, { 'upload-length': '0' });
  assert.equal(response.status, 204, await response.clone().text());
  return client.videoId;
}

function call(t: RecordingTestService, method: string, path: string, token: string, body?: unknown) {
  return t.service(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }),
  );
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('processing', () => {
  let t: RecordingTestService;
  before(async () => {
    t = await startRecordingService({ start: false });
  });
  after(() => t.close());

  it('remuxes an H.264 recording to CENC DASH: ready, keyed, owner-only; VIDEO_NOT_READY until then', async () => {
    const videoId = await upload(t, await recordingFixture('mp4', 3));
    const alice = await t.token('alice');
    const early = await call(t, 'POST', '/api/playback-sessions', alice, { videoId });
    assert.equal(early.status, 409);
    assert.equal(await errorCode(early), 'VIDEO_NOT_READY');
    const status = (await (await call(t, 'GET', `/api/videos/${videoId}`, alice)).json()) as { status: string; processing: { state: string } };
    assert.deepEqual([status.status, status.processing.state], ['processing', 'queued']);

    await t.recordings.start();
    const job = await until(t, videoId, ['ready', 'failed']);
    assert.equal(job.state, 'ready', `failed with ${job.code}`);
    assert.equal(job.progress, 100);
    const video = await t.storage.videos.get(videoId);
    assert.equal(video?.status, 'ready');
    assert.equal(video?.generalAccess, 'restricted');
    assert.equal(video?.owner, 'alice');
    // Two keys since recordings are also packaged as AES-128 HLS: the DASH one is the record's own.
    const keys = await t.storage.keys.get(videoId);
    assert.equal(keys.length, 2);
    assert.equal(video?.protection.kids.length, 1);
    assert.ok(keys.some(({ kid }) => kid === video?.protection.kids[0]));
    const files = await t.storage.media.list(videoId);
    assert.ok(files.includes('manifest.mpd'), files.join());
    assert.ok(files.some((file) => file.startsWith('chunk-')));
    const mpd = await readFile(join(t.storage.media.dir(videoId), 'manifest.mpd'), 'utf8');
    assert.match(mpd, /cenc:default_KID/);
    assert.match(mpd, /mp4a/);

    assert.equal((await call(t, 'POST', '/api/playback-sessions', alice, { videoId })).status, 201);
    const bob = await call(t, 'POST', '/api/playback-sessions', await t.token('bob'), { videoId });
    assert.equal(bob.status, 403);
    assert.equal(await errorCode(bob), 'PLAYBACK_NOT_GRANTED');

    const list = (await (await call(t, 'GET', '/api/videos', alice)).json()) as { videos: Array<{ id: string; status: string; role: string }> };
    assert.deepEqual(list.videos.find((item) => item.id === videoId), { id: videoId, title: video!.title, status: 'ready', role: 'owner', processing: { state: 'ready', progress: 100 } });
    const bobs = (await (await call(t, 'GET', '/api/videos', await t.token('bob'))).json()) as { videos: Array<{ id: string }> };
    assert.ok(!bobs.videos.some((item) => item.id === videoId));
  });

  it('transcodes a VP8/Opus WebM recording', async () => {
    const videoId = await upload(t, await recordingFixture('webm', 2));
    const job = await until(t, videoId, ['ready', 'failed']);
    assert.equal(job.state, 'ready', `failed with ${job.code}`);
    assert.equal((await t.storage.videos.get(videoId))?.status, 'ready');
  });

  describe('hostile uploads end failed with their code and nothing registered', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'veil-hostile-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    async function expectFailed(bytes: Uint8Array, code: string) {
      const videoId = await upload(t, bytes);
      const job = await until(t, videoId, ['ready', 'failed']);
      assert.deepEqual([job.state, job.code], ['failed', code]);
      assert.equal((await t.storage.videos.get(videoId))?.status, 'failed');
      assert.deepEqual(await t.storage.keys.get(videoId), []);
      assert.deepEqual(await t.storage.media.list(videoId), []);
      // The upload is kept for a retry.
      assert.ok((await t.storage.recordings.getUpload(videoId))?.finishedAt);
      const session = await call(t, 'POST', '/api/playback-sessions', await t.token('alice'), { videoId });
      assert.equal(await errorCode(session), 'VIDEO_PROCESSING_FAILED');
    }

    it('random bytes', () => expectFailed(randomChunk(50_000), 'RECORDING_UNREADABLE'));
    it('a zero-byte upload', () => expectFailed(new Uint8Array(0), 'RECORDING_UNREADABLE'));
    it('an HLS playlist referencing file:///etc/passwd', () =>
      expectFailed(new TextEncoder().encode('#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n'), 'RECORDING_UNREADABLE'));
    it('a truncated MP4', async () => {
      const file = join(dir, 'whole.mp4');
      await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
      const whole = await readFile(file);
      await expectFailed(new Uint8Array(whole.subarray(0, Math.floor(whole.length / 2))), 'RECORDING_UNREADABLE');
    });
    it('an MP4 hiding a playlist after an ftyp box', async () => {
      const ftyp = Buffer.from('00000018667479706973366d0000020069736f6d69736f32', 'hex');
      await expectFailed(new Uint8Array(Buffer.concat([ftyp, Buffer.from('#EXTM3U\nfile:///etc/passwd\n')])), 'RECORDING_UNREADABLE');
    });
  });
});

describe('processing limits and restarts', () => {
  it('fails a recording over the duration limit with RECORDING_TOO_LONG', async () => {
    const t = await startRecordingService({ limits: { maxDurationSeconds: 1 } });
    try {
      const videoId = await upload(t, await recordingFixture('mp4', 3));
      const job = await until(t, videoId, ['ready', 'failed']);
      assert.deepEqual([job.state, job.code], ['failed', 'RECORDING_TOO_LONG']);
      assert.deepEqual(await t.storage.keys.get(videoId), []);
    } finally {
      await t.close();
    }
  });

  it('enforces the per-user duration quota: an over-quota recording fails with UPLOAD_QUOTA_EXCEEDED, nothing lost; a used-up quota refuses creation with 413', async () => {
    const t = await startRecordingService({ quota: { secondsPerUser: 5 } });
    try {
      const first = await upload(t, await recordingFixture('mp4', 3));
      const ready = await until(t, first, ['ready', 'failed']);
      assert.equal(ready.state, 'ready', `the first 3 s recording failed with ${ready.code}`);
      const counted = (await t.storage.recordings.usage('alice')).seconds;
      assert.ok(counted >= 2.5 && counted <= 3.5, `the quota counts ${counted} s for a 3 s recording`);

      // 3 s more would make 6 s of 5: failed before conversion, nothing registered, the upload kept.
      const second = await upload(t, await recordingFixture('mp4', 3));
      const failed = await until(t, second, ['ready', 'failed']);
      assert.deepEqual([failed.state, failed.code], ['failed', 'UPLOAD_QUOTA_EXCEEDED'], `a recording over the duration quota ended ${failed.state} (${failed.code})`);
      assert.equal((await t.storage.videos.get(second))?.status, 'failed');
      assert.deepEqual(await t.storage.keys.get(second), []);
      assert.deepEqual(await t.storage.media.list(second), []);
      const kept = await t.storage.recordings.getUpload(second);
      assert.ok(kept?.finishedAt && kept.received > 0, `the over-quota upload was not kept for a retry: ${JSON.stringify(kept)}`);
      assert.equal(kept.durationSeconds, null, 'a failed recording counts towards the duration quota');
      const status = (await (await call(t, 'GET', `/api/videos/${second}`, await t.token('alice'))).json()) as { processing?: { code?: string } };
      assert.equal(status.processing?.code, 'UPLOAD_QUOTA_EXCEEDED', `the status route says ${JSON.stringify(status)}`);

      // Processing the first one again counts its own length once, not twice (3 + 3 > 5).
      await t.storage.recordings.finishUpload(first, (await t.storage.recordings.getUpload(first))!.received);
      t.recordings.queue.kick();
      const again = await until(t, first, ['ready', 'failed']);
      assert.equal(again.state, 'ready', `re-processing a counted recording failed with ${again.code}`);
      assert.equal(again.attempts, 2);

      // Used up: no new upload at all, with the limit named; another user is not affected.
      await t.storage.recordings.setDuration(first, 5);
      const refused = await new TusTestClient(t.service).create(await t.token('alice'));
      assert.equal(refused.status, 413, `creation with the duration quota used up answered ${refused.status}`);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'UPLOAD_QUOTA_EXCEEDED');
      assert.match(body.error.message, /recording time is used up/, `the refusal does not name the duration quota: ${body.error.message}`);
      assert.equal((await new TusTestClient(t.service).create(await t.token('bob'))).status, 201);
    } finally {
      await t.close();
    }
  });

  it('resumes a job a stopped process left half-done', async () => {
    const t = await startRecordingService({ start: false });
    try {
      const videoId = await upload(t, await recordingFixture('mp4', 2));
      // As if the previous process died while packaging.
      await t.storage.recordings.updateJob(videoId, { state: 'packaging', progress: 80 });
      assert.equal(await t.storage.recordings.claimNextJob(), undefined);
      await t.recordings.start();
      const job = await until(t, videoId, ['ready', 'failed']);
      assert.equal(job.state, 'ready', `failed with ${job.code}`);
      assert.equal(job.attempts, 1);
    } finally {
      await t.close();
    }
  });
});
