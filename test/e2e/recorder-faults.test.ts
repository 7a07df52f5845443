/**
 * `<veil-recorder>` under upload faults, in real Chromium with fake devices against a demo of its
 * own (real tus server, real processing), faults injected in front of the service: PATCH 500 ×3,
 * HEAD 500 ×5, the final PATCH 500, upload tokens expiring mid-recording, a service restart, a
 * page reload mid-recording, an upload the server lost, and the scenario (two 5 s network
 * cuts and a reload at 12 s, then alice plays it and bob is refused). Each ends `ready` with no false success, no silent restart and at most
 * one PATCH re-sent per interruption; the SHA-256 of the bytes the server holds equals the
 * SHA-256 of the chunks the page persisted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import type { Handler } from '../../src/server/http.js';
import { TIMESLICE_MS } from '../../src/recording/capture-controller.js';
import { launchChromium, playbackProgress, playerState, signInAndWatch } from '../support/browser.js';
import { FaultInjector, startTestDemo, type FaultRule } from '../support/demo.js';
import { persistedRecording, recordFor, recorderState, recorderVideoId, signInToRecord, startRecording, storedUpload } from '../support/recorder.js';

/** One request to `/api/uploads…` as the service (or an injected fault) answered it. */
interface Sent {
  method: string;
  path: string;
  offset?: number;
  final: boolean;
  status: number;
}

const exec = promisify(execFile);
const faults = new FaultInjector();
const sent: Sent[] = [];
const logged =
  (service: Handler): Handler =>
  async (request) => {
    const path = new URL(request.url).pathname;
    const response = await service(request);
    if (path.startsWith('/api/uploads')) {
      const offset = request.headers.get('upload-offset');
      sent.push({ method: request.method, path, offset: offset === null ? undefined : Number(offset), final: request.headers.has('upload-length'), status: response.status });
    }
    return response;
  };

// Upload tokens live 8 s, so every recording here outlives its first token.
const demo = await startTestDemo({ uploadTokenTtlSeconds: 8, wrapService: (service) => logged(faults.wrap(service)) });
let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo.close();
});

beforeEach(() => {
  sent.length = 0;
});

const upload = /^\/api\/uploads\/rec-[A-Za-z0-9_-]+$/;
const isFinal = (request: Request) => request.headers.has('upload-length');
/**
 * Holds the answer to the final PATCH long enough to read what the page persisted before it deletes
 * it. The answer, not the request: a request held 4 s before the service sees it can outlive its
 * 8 s upload token in transit (a 401 the recorder then recovers from, but one this file forbids).
 */
const holdFinal: FaultRule = { method: 'PATCH', path: upload, when: isFinal, times: 1, fault: { holdResponseMs: 4000 } };

async function alicePage(origin = demo.config.origin): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  await page.evaluateOnNewDocument(() => {
    const events: Array<{ type: string; detail: unknown }> = [];
    (window as unknown as { __events: typeof events }).__events = events;
    for (const type of ['veil-recording-ready', 'veil-upload-restarted']) document.addEventListener(type, (event) => events.push({ type, detail: (event as CustomEvent).detail }));
  });
  await signInToRecord(page, 'alice@acme.test', origin);
  assert.equal(await recorderState(page, ['idle']), 'idle');
  return page;
}

/** alice recording on `/record` since `startedAt`, the video id already shown. */
async function aliceRecording(origin?: string): Promise<{ page: Page; startedAt: number; videoId: string }> {
  const page = await alicePage(origin);
  const startedAt = await startRecording(page);
  await page.waitForFunction(() => document.querySelector('veil-recorder')!.hasAttribute('video-id'), { timeout: 30_000 });
  return { page, startedAt, videoId: (await recorderVideoId(page))! };
}

const events = (page: Page) => page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: Record<string, string> }> }).__events);

/** Processing may trim a frame or two at the edges (audio priming, the last segment). */
const FRAME_SLACK_S = 0.25;

/** The last video packet's end in the bytes the server received (ffprobe). */
async function uploadedSeconds(videoId: string): Promise<number> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', join(demo.config.uploadDir, videoId)]);
  const ends = stdout.split('\n').map((line) => line.split(',').map(Number)).filter(([pts]) => Number.isFinite(pts));
  return Math.max(...ends.map(([pts, duration]) => pts! + (Number.isFinite(duration) ? duration! : 0)));
}

async function serverSha256(videoId: string): Promise<string> {
  return createHash('sha256').update(await readFile(join(demo.config.uploadDir, videoId))).digest('hex');
}

/** Once the held final PATCH is on its way: the page's persisted recording. */
async function persistedWhileFinalHeld(page: Page, ruleIndex: number) {
  const deadline = Date.now() + 60_000;
  while (faults.hits()[ruleIndex] !== 1) {
    if (Date.now() > deadline) throw new Error(`the final PATCH never came: ${JSON.stringify(sent.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return persistedRecording(page);
}

/**
 * PATCHes: every offset acknowledged exactly once, and as many failed attempts as injected faults
 * (`atMost`: up to that many, for an interruption that may or may not catch a PATCH mid-way).
 */
function assertNoDoubleSends(injectedPatchFaults: number, { atMost = false } = {}): void {
  const patches = sent.filter((request) => request.method === 'PATCH');
  const acknowledged = patches.filter((request) => request.status === 204).map((request) => request.offset);
  assert.equal(new Set(acknowledged).size, acknowledged.length, `an offset was sent twice after it was acknowledged: ${JSON.stringify(acknowledged)}`);
  const failed = patches.length - acknowledged.length;
  assert.ok(atMost ? failed <= injectedPatchFaults : failed === injectedPatchFaults, JSON.stringify(patches.filter((request) => request.status !== 204)));
  assert.deepEqual(acknowledged, [...acknowledged].sort((a, b) => a! - b!), 'offsets only move forward (never from zero again)');
}

const creations = () => sent.filter((request) => request.method === 'POST' && request.path === '/api/uploads').length;

describe('<veil-recorder> upload faults', () => {
  it('PATCH 500 ×3, HEAD 500 ×5, final PATCH 500, token expiry: ready, nothing re-sent twice, the same SHA-256', async () => {
    faults.set([
      { method: 'PATCH', path: upload, when: (request) => !isFinal(request), times: 3, fault: { status: 500 } },
      { method: 'HEAD', path: upload, times: 5, fault: { status: 500 } },
      { method: 'PATCH', path: upload, when: isFinal, times: 1, fault: { status: 500 } },
      holdFinal,
    ]);
    const { page, startedAt, videoId } = await aliceRecording();
    await recordFor(page, startedAt, 12);
    // Faults do not change the state: the recording stays `recording`.
    assert.equal(await recorderState(page, ['recording'], 1000), 'recording');
    await page.evaluate(() => document.querySelector('veil-recorder')!.stop());

    const persisted = await persistedWhileFinalHeld(page, 3);
    // The final PATCH is held: the upload is not accepted, so the recorder must not claim success.
    assert.equal(await recorderState(page, ['uploading', 'processing', 'ready'], 1000), 'uploading');
    assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');
    assert.deepEqual(faults.hits(), [3, 5, 1, 1]);
    assert.equal(await recorderVideoId(page), videoId);
    assert.deepEqual(await events(page), [{ type: 'veil-recording-ready', detail: { videoId } }]);

    assert.equal(await serverSha256(videoId), persisted.sha256);
    // 12 s recorded in 1 s timeslices; H.264 fragments flush only at keyframes, so a loaded machine
    // persists fewer, larger chunks (8 seen at load 15). The bytes are proven by the SHA-256 above.
    assert.ok(persisted.chunks >= 6, `${persisted.chunks} chunks persisted`);
    assert.equal(creations(), 1);
    assertNoDoubleSends(4);
    // The upload token was renewed before it expired: never a 401.
    assert.ok(sent.some((request) => request.method === 'POST' && request.path === `/api/uploads/${videoId}/token`), 'renewed');
    assert.deepEqual(sent.filter((request) => request.status === 401), []);
    await page.browserContext().close();
  });

  it('the service restarts mid-recording: the upload waits, resumes, and nothing is lost', async () => {
    // A demo of its own with the default upload-token lifetime, so upload tokens last across the
    // restart. The dev IdP restarts too; it keeps its signing key (in the data directory), so
    // alice's access token outlives the restart, as it would with a real IdP.
    const restarting = await startTestDemo({ wrapService: (service) => logged(faults.wrap(service)) });
    try {
      faults.set([holdFinal]);
      const { page, startedAt, videoId } = await aliceRecording(restarting.config.origin);
      await recordFor(page, startedAt, 3);
      await restarting.restart(3000);
      const restartedAt = sent.length;
      await recordFor(page, startedAt, 10);
      assert.equal(await recorderState(page, ['recording'], 1000), 'recording');
      await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
      const persisted = await persistedWhileFinalHeld(page, 0);
      // The upload was accepted and processed, as the recorder and the service both say.
      assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');
      assert.equal((await restarting.videos.get(videoId))?.status, 'ready');
      // The restarted service received the rest of the recording.
      assert.ok(sent.slice(restartedAt).some((request) => request.method === 'PATCH' && request.status === 204), JSON.stringify(sent.slice(restartedAt, restartedAt + 3)));
      assert.deepEqual(await events(page), [{ type: 'veil-recording-ready', detail: { videoId } }]);
      assert.equal(await recorderVideoId(page), videoId);
      assert.equal(createHash('sha256').update(await readFile(join(restarting.config.uploadDir, videoId))).digest('hex'), persisted.sha256);
      assert.equal(creations(), 1);
      assertNoDoubleSends(1, { atMost: true });
      await page.browserContext().close();
    } finally {
      await restarting.close();
    }
  });

  it('a reload mid-recording: recovered with the same video id; the server holds exactly what was persisted', async () => {
    faults.set([holdFinal]);
    const { page, startedAt, videoId } = await aliceRecording();
    await recordFor(page, startedAt, 6);
    await page.reload();
    await page.waitForSelector('veil-recorder');
    const persisted = await persistedWhileFinalHeld(page, 0);
    assert.equal(await recorderVideoId(page), videoId);
    assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');
    assert.deepEqual(await events(page), [{ type: 'veil-recording-ready', detail: { videoId } }]);
    assert.equal(await serverSha256(videoId), persisted.sha256);
    // 6 s in 1 s timeslices; as above, a loaded machine persists fewer, larger fragments (3 seen).
    assert.ok(persisted.chunks >= 3, `${persisted.chunks} chunks persisted`);
    assert.equal(creations(), 1);
    assertNoDoubleSends(1, { atMost: true });
    await page.browserContext().close();
  });

  it('an upload the server lost restarts visibly from the local chunks, as a new video', async () => {
    faults.set([holdFinal]);
    const { page, startedAt, videoId: firstId } = await aliceRecording();
    await recordFor(page, startedAt, 3);
    // The upload vanishes on the server (terminated with the page's own upload token).
    const { url, token } = await storedUpload(page);
    const terminated = await page.evaluate(
      (target: string, bearer: string) => fetch(target, { method: 'DELETE', headers: { authorization: `Bearer ${bearer}`, 'tus-resumable': '1.0.0' } }).then((response) => response.status),
      url,
      token,
    );
    assert.equal(terminated, 204);
    await recordFor(page, startedAt, 7);
    await page.evaluate(() => document.querySelector('veil-recorder')!.stop());
    const persisted = await persistedWhileFinalHeld(page, 0);
    assert.equal(await recorderState(page, ['ready', 'error'], 120_000), 'ready');

    const secondId = (await recorderVideoId(page))!;
    assert.notEqual(secondId, firstId);
    assert.deepEqual(await events(page), [
      { type: 'veil-upload-restarted', detail: { previousVideoId: firstId, code: 'UPLOAD_NOT_FOUND' } },
      { type: 'veil-recording-ready', detail: { videoId: secondId } },
    ]);
    assert.equal(await serverSha256(secondId), persisted.sha256);
    assert.equal(creations(), 2);
    assert.equal(await demo.videos.get(firstId), undefined);
    // The new upload started from the first local chunk: offset 0 acknowledged once per upload.
    assert.equal(sent.filter((request) => request.method === 'PATCH' && request.status === 204 && request.offset === 0).length, 2);
    await page.browserContext().close();
  });

  it("the issue's scenario: offline 5 s twice and a reload at 12 s — recovered, complete, the same SHA-256, nothing persisted lost; alice plays, bob is refused", async (t) => {
    faults.set([holdFinal]);
    const page = await alicePage();
    // The recording's own zero: the MediaRecorder's start event, on the page's clock.
    await page.evaluate(() => {
      const start = MediaRecorder.prototype.start;
      MediaRecorder.prototype.start = function (this: MediaRecorder, ...args: Parameters<MediaRecorder['start']>) {
        this.addEventListener('start', () => ((window as unknown as { __recordingStartedAt: number }).__recordingStartedAt = Date.now()), { once: true });
        // When the MediaRecorder last delivered a chunk: what it had not delivered at the reload is lost in it, the rest in saving.
        this.addEventListener('dataavailable', () => ((window as unknown as { __lastChunkAt: number }).__lastChunkAt = Date.now()));
        return start.apply(this, args);
      };
    });
    const startedAt = await startRecording(page);
    await page.waitForFunction(() => document.querySelector('veil-recorder')!.hasAttribute('video-id'), { timeout: 60_000 });
    const videoId = (await recorderVideoId(page))!;
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    const network = (offline: boolean) => cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    for (const [from, to] of [
      [1, 6],
      [6.5, 11.5],
    ] as const) {
      await recordFor(page, startedAt, from);
      await network(true);
      await recordFor(page, startedAt, to);
      const state = await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('state'));
      assert.equal(state, 'recording', `after ${to - from} s offline (from ${from} s) the recorder is '${state}', not still 'recording'`);
      await network(false);
    }
    await recordFor(page, startedAt, 12);
    const [recorded, delivered] = await page.evaluate(() => {
      const clock = window as unknown as { __recordingStartedAt: number; __lastChunkAt: number };
      return [(Date.now() - clock.__recordingStartedAt) / 1000, (clock.__lastChunkAt - clock.__recordingStartedAt) / 1000];
    });
    await page.reload();
    await page.waitForSelector('veil-recorder', { timeout: 60_000 });

    const persisted = await persistedWhileFinalHeld(page, 0);
    assert.equal(await recorderVideoId(page), videoId, 'the recovered recording kept its video id');
    const ended = await recorderState(page, ['ready', 'error'], 240_000);
    assert.equal(ended, 'ready', `the recovered recording ended '${ended}' (${await page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('error-code'))})`);
    assert.deepEqual(await events(page), [{ type: 'veil-recording-ready', detail: { videoId } }], 'no restart, one success');
    assert.equal(await serverSha256(videoId), persisted.sha256, `the server's SHA-256 of ${videoId} differs from the ${persisted.chunks} chunks (${persisted.bytes} B) the page persisted`);
    assert.equal(creations(), 1, 'one upload created: no silent restart from zero');
    // Two cuts and a reload: at most one PATCH lost to each.
    assertNoDoubleSends(3, { atMost: true });

    // alice plays it: everything the page persisted (the upload, on its own clock) is in the
    // video, and frames advance. What the reload loses is what the MediaRecorder had not yet
    // delivered: one timeslice on a quiet machine, more under load (decisions.md), so it is reported.
    await page.goto(`${demo.config.origin}/watch?v=${videoId}`);
    await playerState(page, ['paused', 'playing'], 120_000);
    const duration = await page.evaluate(() => document.querySelector('veil-player')!.duration);
    const uploaded = await uploadedSeconds(videoId);
    const said = `the video lasts ${duration.toFixed(2)} s, the upload ${uploaded.toFixed(2)} s (${persisted.chunks} chunks), recorded ${recorded.toFixed(2)} s before the reload`;
    assert.ok(duration >= uploaded - FRAME_SLACK_S, `${said}: processing lost more than ${FRAME_SLACK_S} s of what was persisted`);
    t.diagnostic(
      `${said}: the reload lost ${(recorded - uploaded).toFixed(2)} s (timeslice ${TIMESLICE_MS / 1000} s): ${(recorded - delivered).toFixed(2)} s not yet delivered by the MediaRecorder, ${(delivered - uploaded).toFixed(2)} s delivered but not persisted (or the recording's own start latency)`,
    );
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 1.5, { timeout: 120_000, polling: 100 });
    const progress = await playbackProgress(page);
    assert.ok(progress.totalVideoFrames > 10, `alice's player decoded ${progress.totalVideoFrames} frames by ${progress.currentTime.toFixed(2)} s`);

    // bob, same org, is refused: the recording is alice's alone until she shares it.
    const bob = await (await browser.createBrowserContext()).newPage();
    await signInAndWatch(bob, videoId, 'bob@acme.test', { origin: demo.config.origin });
    const bobState = await playerState(bob, ['denied', 'error', 'paused', 'playing'], 120_000);
    const bobCode = await bob.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code'));
    assert.deepEqual([bobState, bobCode], ['denied', 'PLAYBACK_NOT_GRANTED'], `bob's player ended '${bobState}' (${bobCode})`);
    await bob.browserContext().close();
    await page.browserContext().close();
  });
});
