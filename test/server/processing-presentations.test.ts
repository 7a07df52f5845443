/**
 * A processed recording is one video in two presentations, with real ffmpeg: CENC DASH (primary)
 * and AES-128 HLS (alternative), each with two renditions (the recording's size capped at 720p,
 * and a lower one, never an upscale) and its own key. The playback session answers with the
 * presentation the client can play; each key route releases only its own presentation's key; a
 * job failing after one presentation was written leaves no media, keys or playable video.
 */
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { processRecording } from '../../src/server/media/processing/pipeline.js';
import { renditionLadder } from '../../src/server/media/processing/renditions.js';
import type { ProcessingJob } from '../../src/server/storage/recordings.js';
import { ORIGIN, recordingFixture, startRecordingService, TusTestClient, type RecordingTestService } from '../support/recordings.js';

describe('rendition ladder', () => {
  it('caps the top at 720p, keeps a smaller source as it is, and adds 360p or half the top', () => {
    assert.deepEqual(renditionLadder({ width: 1920, height: 1080 }), [{ width: 1280, height: 720 }, { width: 640, height: 360 }]);
    assert.deepEqual(renditionLadder({ width: 1280, height: 720 }), [{ width: 1280, height: 720 }, { width: 640, height: 360 }]);
    assert.deepEqual(renditionLadder({ width: 960, height: 540 }), [{ width: 960, height: 540 }, { width: 640, height: 360 }]);
    assert.deepEqual(renditionLadder({ width: 320, height: 240 }), [{ width: 320, height: 240 }, { width: 160, height: 120 }]);
    // A portrait screen recording: the height is capped, the width follows, both even.
    assert.deepEqual(renditionLadder({ width: 1080, height: 1920 }), [{ width: 406, height: 720 }, { width: 202, height: 360 }]);
  });
});

async function until(t: RecordingTestService, videoId: string): Promise<ProcessingJob> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await t.storage.recordings.getJob(videoId);
    if (job && (job.state === 'ready' || job.state === 'failed')) return job;
    if (Date.now() > deadline) throw new Error(`job ${videoId} stuck in ${job?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function upload(t: RecordingTestService, bytes: Uint8Array): Promise<string> {
  const client = new TusTestClient(t.service);
  assert.equal((await client.create(await t.token('alice'))).status, 201);
  assert.equal((await client.uploadAll(bytes)).status, 204);
  return client.videoId;
}

function post(t: RecordingTestService, path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return t.service(new Request(`${ORIGIN}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));
}

const uris = (playlist: string) => playlist.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
const PLAIN_FILE = /^[\w.-]+$/;

describe('a processed recording in two presentations', () => {
  let t: RecordingTestService;
  let videoId: string;
  before(async () => {
    t = await startRecordingService();
    videoId = await upload(t, await recordingFixture('mp4', 4, { size: '960x540' }));
    const job = await until(t, videoId);
    assert.equal(job.state, 'ready', `failed with ${job.code}`);
  });
  after(() => t.close());

  const file = (name: string) => readFile(join(t.storage.media.dir(videoId), name));

  it('is registered with CENC DASH primary and AES-128 HLS alternative, one key each in the KeyStore', async () => {
    const video = (await t.storage.videos.get(videoId))!;
    assert.equal(video.protocol, 'dash');
    assert.equal(video.manifest, 'manifest.mpd');
    assert.equal(video.protection.scheme, 'cenc');
    assert.equal(video.alternatives?.length, 1);
    const hls = video.alternatives![0]!;
    assert.deepEqual([hls.protocol, hls.manifest, hls.protection.scheme], ['hls', 'master.m3u8', 'hls-aes-128']);
    const stored = (await t.storage.keys.get(videoId)).map(({ kid }) => kid);
    assert.equal(stored.length, 2);
    assert.deepEqual([...video.protection.kids, ...hls.protection.kids].sort(), stored);
    assert.notEqual(video.protection.kids[0], hls.protection.kids[0], 'DASH and HLS share a key');
  });

  it('DASH: two video renditions (540p copied, 360p), every segment a stored relative file, encrypted, the recording long', async () => {
    const mpd = (await file('manifest.mpd')).toString('utf8');
    const heights = [...mpd.matchAll(/<Representation[^>]*height="(\d+)"/g)].map((match) => Number(match[1]));
    assert.deepEqual(heights.sort((a, b) => b - a), [540, 360]);
    assert.match(mpd, /cenc:default_KID/);
    const names = [...mpd.matchAll(/(?:initialization|media)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(names.length >= 2);
    for (const name of names) assert.match(name, /^[\w$%.-]+$/, `the MPD references '${name}'`);
    const files = await t.storage.media.list(videoId);
    for (const id of ['0', '1']) {
      assert.ok(files.includes(`init-${id}.m4s`), `no init segment for representation ${id}`);
      assert.ok(files.some((name) => name.startsWith(`chunk-${id}-`)), `no media segment for representation ${id}`);
    }
    const duration = /mediaPresentationDuration="PT([\d.]+)S"/.exec(mpd);
    assert.ok(duration && Math.abs(Number(duration[1]) - 4) < 0.5, `the MPD says ${duration?.[1]} s for a 4 s recording`);
  });

  it('HLS: two variants, each encrypted with the key route as URI, every URI a stored relative file, the recording long', async () => {
    const video = (await t.storage.videos.get(videoId))!;
    const master = (await file('master.m3u8')).toString('utf8');
    assert.deepEqual([...master.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((match) => match[1]).sort(), ['640x360', '960x540']);
    const variants = uris(master);
    assert.equal(variants.length, 2);
    const [hlsKey] = (await t.storage.keys.get(videoId)).filter(({ kid }) => video.alternatives![0]!.protection.kids.includes(kid));
    for (const variant of variants) {
      assert.match(variant, PLAIN_FILE);
      const playlist = (await file(variant)).toString('utf8');
      const key = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-fA-F]{32})/.exec(playlist);
      assert.ok(key, `${variant} is not AES-128 encrypted`);
      assert.equal(key[1], `/api/keys/${videoId}`);
      const seconds = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
      assert.ok(Math.abs(seconds - 4) < 0.5, `${variant} lasts ${seconds} s for a 4 s recording`);
      const segments = uris(playlist);
      for (const segment of segments) assert.match(segment, PLAIN_FILE);
      // The first segment is MPEG-TS only once decrypted with the HLS key and the playlist's IV.
      const encrypted = await file(segments[0]!);
      assert.notEqual(encrypted[0], 0x47, `${segments[0]} is in the clear`);
      const decipher = createDecipheriv('aes-128-cbc', hlsKey!.key, Buffer.from(key[2]!, 'hex'));
      const clear = Buffer.concat([decipher.update(encrypted), decipher.final()]);
      assert.equal(clear[0], 0x47, `${segments[0]} does not decrypt to MPEG-TS`);
      assert.equal(clear[188], 0x47);
    }
  });

  it('the playback session answers with the presentation the client can play; bob is refused on both', async () => {
    const alice = await t.token('alice');
    const session = async (body: object) => {
      const response = await post(t, '/api/playback-sessions', alice, { videoId, ...body });
      assert.equal(response.status, 201, await response.clone().text());
      return (await response.json()) as { protocol: string; manifestUrl: string; drm: { aes128?: boolean; keySystems?: object }; token: string };
    };
    const legacy = await session({});
    assert.deepEqual([legacy.protocol, legacy.manifestUrl.endsWith(`/media/${videoId}/manifest.mpd`), Boolean(legacy.drm.keySystems)], ['dash', true, true]);
    assert.equal((await session({ protocols: ['dash', 'hls'] })).protocol, 'dash');
    const hls = await session({ protocols: ['hls', 'dash'] });
    assert.deepEqual([hls.protocol, hls.manifestUrl.endsWith(`/media/${videoId}/master.m3u8`), hls.drm.aes128], ['hls', true, true]);

    const bob = await t.token('bob');
    for (const protocols of [['dash'], ['hls']]) {
      const refused = await post(t, '/api/playback-sessions', bob, { videoId, protocols });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'PLAYBACK_NOT_GRANTED');
    }
    const bad = await post(t, '/api/playback-sessions', alice, { videoId, protocols: ['rtmp'] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /protocols/);
  });

  it('each key route releases only its own presentation’s key', async () => {
    const video = (await t.storage.videos.get(videoId))!;
    const keys = await t.storage.keys.get(videoId);
    const cenc = keys.find(({ kid }) => video.protection.kids.includes(kid))!;
    const hls = keys.find(({ kid }) => video.alternatives![0]!.protection.kids.includes(kid))!;
    const { token } = (await (await post(t, '/api/playback-sessions', await t.token('alice'), { videoId, protocols: ['hls'] })).json()) as { token: string };

    const key = await t.service(new Request(`${ORIGIN}/api/keys/${videoId}`, { headers: { authorization: `Bearer ${token}` } }));
    assert.equal(key.status, 200);
    assert.deepEqual(new Uint8Array(await key.arrayBuffer()), new Uint8Array(hls.key));

    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
    const license = await post(t, `/api/license/${videoId}`, token, { kids: [b64(cenc.kid)], type: 'temporary' });
    assert.equal(license.status, 200);
    const released = (await license.json()) as { keys: Array<{ kid: string; k: string }> };
    assert.deepEqual(released.keys.map(({ kid, k }) => [kid, k]), [[b64(cenc.kid), Buffer.from(cenc.key).toString('base64url')]]);
    const hlsByLicense = await post(t, `/api/license/${videoId}`, token, { kids: [b64(hls.kid)], type: 'temporary' });
    assert.equal(hlsByLicense.status, 400, 'the ClearKey license route released the HLS key');
  });

  it('a video without the asked-for protocol answers VIDEO_PROTOCOL_UNSUPPORTED', async () => {
    const dashOnly = { ...(await t.storage.videos.get(videoId))!, id: 'dash-only' };
    delete (dashOnly as { alternatives?: unknown }).alternatives;
    await t.storage.videos.put(dashOnly);
    const response = await post(t, '/api/playback-sessions', await t.token('alice'), { videoId: 'dash-only', protocols: ['hls'] });
    assert.equal(response.status, 406);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'VIDEO_PROTOCOL_UNSUPPORTED');
  });
});

describe('a job failing after the DASH presentation was written', () => {
  it('leaves the video failed with no media, no keys and no alternatives; the upload kept', async () => {
    const t = await startRecordingService({ start: false });
    try {
      const videoId = await upload(t, await recordingFixture('mp4', 2));
      const job = (await t.storage.recordings.getJob(videoId))!;
      const events: string[] = [];
      const logs: string[] = [];
      await processRecording(job, {
        recordings: t.storage.recordings,
        videos: t.storage.videos,
        keys: t.storage.keys,
        media: t.storage.media,
        uploadFile: async (id) => join(t.uploadDir, id),
        limits: { maxDurationSeconds: 600, maxHeight: 2160 },
        quota: { secondsPerUser: 36_000 },
        audit: async (batch) => void events.push(...batch.map((event) => event.type)),
        // A key URI the HLS packager refuses: HLS fails after DASH is in the MediaStore.
        hlsKeyUri: () => 'bad"uri',
        log: (line) => void logs.push(line),
      });
      assert.ok(logs.some((line) => line.startsWith('CENC encryption took')), `DASH was never written: ${logs.join('; ')}`);
      const failed = await t.storage.recordings.getJob(videoId);
      assert.deepEqual([failed?.state, failed?.code], ['failed', 'RECORDING_PROCESSING_FAILED']);
      const video = await t.storage.videos.get(videoId);
      assert.equal(video?.status, 'failed');
      assert.equal(video?.alternatives, undefined);
      assert.deepEqual(video?.protection.kids, []);
      assert.deepEqual(await t.storage.keys.get(videoId), []);
      assert.deepEqual(await t.storage.media.list(videoId), []);
      assert.deepEqual(events, ['video-processing-failed']);
      assert.ok((await t.storage.recordings.getUpload(videoId))?.finishedAt);
    } finally {
      await t.close();
    }
  });
});
