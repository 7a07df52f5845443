/**
 * The scale-out demo for real: `startCluster` (PostgreSQL, s3rver, the dev IdP, two replicas of
 * the demo, nginx round-robin) with 5 s playback tokens, once for the file; Chromium plays through
 * nginx. Playback survives a SIGKILLed replica, renewals are served by both replicas (counted in
 * their JSON request logs), concurrent audit appends stay one chain, a revocation saved through
 * one replica is refused by the other, an upload (in S3) started through a replica that then dies
 * completes through the other and plays, a client blocked through nginx is blocked by both
 * replicas, and the whole cluster restarts on its PostgreSQL and S3 data.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { startCluster, type Cluster, type Replica } from '../../scripts/cluster.js';
import { PostgresAuditStore } from '../../src/server/audit/postgres-store.js';
import { instrumentedPage, probe } from '../support/playback-probe.js';
import { assertPlays, launchChromium, playerState, signInAndWatch, storedAccessToken } from '../support/browser.js';
import { ORIGIN, recordingFixture, sha256Header, TusTestClient } from '../support/recordings.js';

const TTL_SECONDS = 5;
const DIR = `.cache/cluster-test-${process.pid}`;
const OPTIONS = { port: 0, dir: DIR, env: { VEIL_TOKEN_TTL: String(TTL_SECONDS) }, log: () => {} };
let cluster: Cluster;
let browser: Browser;

before(async () => {
  cluster = await startCluster(OPTIONS);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
  await rm(DIR, { recursive: true, force: true });
});

/** Requests a replica logged (its JSON lines), optionally only those for `path` and `method`. */
function served(replica: Replica, method: string, path: string): number {
  return replica.lines.filter((line) => {
    if (!line.startsWith('{')) return false;
    const entry = JSON.parse(line) as { msg?: string; method?: string; path?: string };
    return entry.msg === 'request' && entry.method === method && entry.path === path;
  }).length;
}

/** Resolves once nginx sends `replica` (restarted) requests again. */
async function rejoined(replica: Replica): Promise<void> {
  const before = served(replica, 'GET', '/api/jwks');
  const deadline = Date.now() + 15_000;
  while (served(replica, 'GET', '/api/jwks') === before) {
    assert.equal((await fetch(`${cluster.origin}/api/jwks`)).status, 200);
    assert.ok(Date.now() < deadline, `replica ${replica.n} never served a request through nginx after its restart`);
  }
}

let aliceAccessToken: string;
/** The recording uploaded across replicas (test 4), played again after the cluster's restart. */
let recordedVideoId: string;

describe('a cluster of two replicas behind nginx', () => {
  it('60 s of 5 s tokens: renewals served by both replicas, one SIGKILLed mid-playback, 0 stalls; it restarts and rejoins', async () => {
    const [one, two] = cluster.replicas as [Replica, Replica];
    const page = await instrumentedPage(browser);
    await signInAndWatch(page, 'sample-dash', 'alice@acme.test', { origin: cluster.origin });
    aliceAccessToken = await storedAccessToken(page);
    await playerState(page, ['paused']);
    await page.evaluate(() => document.querySelector('veil-player')!.play());

    let last = await probe(page);
    let killedAt: number | undefined;
    let renewalsBeforeKill = [0, 0];
    const started = Date.now();
    while (last.state !== 'ended' && last.currentTime < 59) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      last = await probe(page);
      if (killedAt === undefined && last.currentTime > 25) {
        renewalsBeforeKill = [served(one, 'POST', '/api/playback-sessions'), served(two, 'POST', '/api/playback-sessions')];
        await two.kill('SIGKILL');
        killedAt = last.currentTime;
      }
      assert.ok(Date.now() - started < 100_000, 'playback did not finish within 100 s');
    }
    assert.ok(killedAt !== undefined, 'replica 2 was killed mid-playback');
    assert.equal(last.waitingAfterFirstFrame, 0, 'waiting events after the first frame');
    assert.ok(last.renewals >= 10, `renewals: ${last.renewals}`);
    assert.ok(renewalsBeforeKill.every((count) => count >= 2), `token requests per replica before the kill: ${renewalsBeforeKill.join(', ')}`);
    console.log(`cluster playback: ${last.renewals} renewals; token requests served before the kill ${renewalsBeforeKill.join(' / ')}; replica 2 killed at ${killedAt.toFixed(1)} s`);

    await two.restart();
    await rejoined(two);
    await page.browserContext().close();
  });

  it('concurrent appends through both replicas and two writers form one chain that audit:verify passes', async () => {
    assert.ok(aliceAccessToken, 'needs the first test’s sign-in');
    const [one, two] = cluster.replicas as [Replica, Replica];
    const url = cluster.env.VEIL_DATABASE_URL!;
    const writers = [await PostgresAuditStore.open(url), await PostgresAuditStore.open(url)];
    const countBefore = await count(url);
    // Playback tokens from both replicas, for live audit traffic through both ...
    const replicaUrl = (i: number) => `http://127.0.0.1:${(i % 2 ? one : two).port}`;
    const tokens = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await fetch(`${replicaUrl(i)}/api/playback-sessions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${aliceAccessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ videoId: 'sample-dash' }),
        });
        assert.equal(response.status, 201);
        return ((await response.json()) as { token: string }).token;
      }),
    );
    // ... 5 events per token, each delivered through the other replica than the one that issued it ...
    const sessions = tokens.map((token, i) =>
      fetch(`${replicaUrl(i + 1)}/api/audit/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: Array.from({ length: 5 }, (_, n) => ({ id: randomUUID(), type: 'heartbeat', session: randomUUID(), seq: n + 1, clientTime: Date.now(), position: n, data: { watchedSeconds: 30 } })) }),
      }).then((response) => response.status),
    );
    // ... while each writer appends 1 000 synthetic events in batches of 50.
    const synthetic = writers.map((store, w) =>
      (async () => {
        for (let batch = 0; batch < 20; batch++) {
          await store.append(Array.from({ length: 50 }, (_, n) => ({ id: randomUUID(), type: 'heartbeat' as const, actor: `writer-${w}`, org: 'acme', video: 'sample-dash', playbackSession: 's', credential: 'playback' as const, playerSession: `w${w}`, playerSeq: batch * 50 + n, clientTime: Date.now(), position: n, data: {} })));
        }
      })(),
    );
    const [statuses] = await Promise.all([Promise.all(sessions), ...synthetic]);
    assert.deepEqual([...new Set(statuses)], [200]);
    for (const store of writers) await store.close();
    const added = (await count(url)) - countBefore;
    assert.ok(added >= 2000 + 100, `records added: ${added}`);
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--db', url], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /OK, \d+ records/);
    const store = await PostgresAuditStore.open(url);
    const ids = new Set<string>();
    let records = 0;
    for await (const record of store.scan()) {
      ids.add(record.id);
      records += 1;
    }
    await store.close();
    assert.equal(ids.size, records, 'no duplicate ids');
  });

  it('a revocation saved through replica 1 is refused by replica 2 and stops a player within one token lifetime', async () => {
    assert.ok(aliceAccessToken, 'needs the first test’s sign-in');
    const [one, two] = cluster.replicas as [Replica, Replica];
    const page = await instrumentedPage(browser);
    await signInAndWatch(page, 'sample-hls', 'bob@acme.test', { origin: cluster.origin });
    const bobAccessToken = await storedAccessToken(page);
    await playerState(page, ['paused']);
    await page.evaluate(() => document.querySelector('veil-player')!.play());
    await page.waitForFunction(() => document.querySelector('veil-player')!.currentTime > 2, { timeout: 30_000 });

    const access = (change: 'restricted' | 'org') => setGeneralAccess(one.port, aliceAccessToken, 'sample-hls', change);
    await access('restricted');
    const revokedAt = Date.now();
    try {
      const refused = await fetch(`http://127.0.0.1:${two.port}/api/playback-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bobAccessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ videoId: 'sample-hls' }),
      });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'PLAYBACK_NOT_GRANTED');
      assert.equal(await playerState(page, ['denied', 'error'], 30_000), 'denied');
      const stoppedAfter = Date.now() - revokedAt;
      assert.equal(await page.evaluate(() => document.querySelector('veil-player')!.getAttribute('error-code')), 'PLAYBACK_NOT_GRANTED');
      console.log(`cluster revocation: stopped ${stoppedAfter} ms after the revocation (token lifetime ${TTL_SECONDS * 1000} ms)`);
      assert.ok(stoppedAfter <= TTL_SECONDS * 1000 + 1000, `stopped after ${stoppedAfter} ms`);
    } finally {
      await access('org');
      await page.browserContext().close();
    }
  });

  it('an upload (in S3) started through replica 1, which then dies, completes through nginx on replica 2 and plays', async () => {
    assert.ok(aliceAccessToken, 'needs the first test’s sign-in');
    const [one] = cluster.replicas as [Replica, Replica];
    const clip = await recordingFixture('mp4', 4);
    const viaOne = new TusTestClient(forwardTo(`http://127.0.0.1:${one.port}`));
    const created = await viaOne.create(aliceAccessToken, { 'upload-length': String(clip.byteLength) });
    assert.equal(created.status, 201, await created.clone().text());
    const half = Math.floor(clip.byteLength / 2);
    assert.equal((await viaOne.patch(0, clip.subarray(0, half))).status, 204);
    await one.kill('SIGKILL');
    try {
      // The recorder comes back through the balancer; only replica 2 is left.
      const viaNginx = Object.assign(new TusTestClient(forwardTo(cluster.origin)), { uploadUrl: viaOne.uploadUrl, uploadToken: viaOne.uploadToken, videoId: viaOne.videoId });
      const head = await viaNginx.head();
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('upload-offset'), String(half), 'replica 2 sees what replica 1 stored');
      const rest = await viaNginx.patch(half, clip.subarray(half), { 'veil-recording-checksum': sha256Header(clip) });
      assert.equal(rest.status, 204, await rest.clone().text());
      assert.ok(!existsSync(join(DIR, 'shared', 'uploads', viaOne.videoId)), 'the upload is in S3, not in the shared directory');
      recordedVideoId = viaOne.videoId;
      await waitForStatus(aliceAccessToken, recordedVideoId, 'ready');
      const page = await instrumentedPage(browser);
      await signInAndWatch(page, recordedVideoId, 'alice@acme.test', { origin: cluster.origin });
      await playerState(page, ['paused']);
      await assertPlays(page);
      await page.browserContext().close();
    } finally {
      await one.restart();
      await rejoined(one);
    }
  });

  it('a client blocked through nginx (its address from X-Forwarded-For) is blocked by both replicas: one limit; X-Forwarded-For from others is ignored', async () => {
    const [one, two] = cluster.replicas as [Replica, Replica];
    // DEFAULT_RATE_LIMITS.refusals: 30 refusals a minute are answered; the 31st blocks the client.
    const answered = 31;
    const before = [served(one, 'POST', '/api/playback-sessions'), served(two, 'POST', '/api/playback-sessions')];
    // 127.0.0.2 is this machine too; it claims another address, which nginx appends to and the replicas ignore.
    const forged = () => fromAddress('127.0.0.2', `${cluster.origin}/api/playback-sessions`, { 'x-forwarded-for': '203.0.113.9' });
    const statuses: number[] = [];
    for (let i = 0; i < answered + 1; i++) statuses.push((await forged()).status);
    assert.deepEqual(statuses, [...Array<number>(answered).fill(401), 429], 'one allowance for the cluster, not one per replica');
    const spread = [served(one, 'POST', '/api/playback-sessions') - before[0]!, served(two, 'POST', '/api/playback-sessions') - before[1]!];
    assert.ok(spread.every((count) => count >= 10), `the burst went to both replicas: ${spread.join(' / ')}`);
    for (const replica of [one, two]) {
      // nginx (127.0.0.1, trusted) forwarding for 127.0.0.2: blocked on each replica.
      const blocked = await fromAddress('127.0.0.1', `http://127.0.0.1:${replica.port}/api/playback-sessions`, { 'x-forwarded-for': '127.0.0.2' });
      assert.equal(blocked.status, 429);
      assert.equal(blocked.code, 'CLIENT_BLOCKED');
      // Anyone else claiming to forward for 127.0.0.2 is not believed: its own address counts.
      assert.equal((await fromAddress('127.0.0.3', `http://127.0.0.1:${replica.port}/api/playback-sessions`, { 'x-forwarded-for': '127.0.0.2' })).status, 401);
    }
    const ok = await fetch(`${cluster.origin}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${aliceAccessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId: 'sample-dash' }) });
    assert.equal(ok.status, 201, 'other clients behind the same nginx are not blocked');
  });

  it('the whole cluster restarts on its PostgreSQL and S3 data: the recording still plays, the audit chain still verifies and grows', async () => {
    assert.ok(recordedVideoId, 'needs the upload test’s recording');
    const url = cluster.env.VEIL_DATABASE_URL!;
    const recordsBefore = await count(url);
    await cluster.stop();
    cluster = await startCluster({ ...OPTIONS, resume: true });
    const page = await instrumentedPage(browser);
    await signInAndWatch(page, recordedVideoId, 'alice@acme.test', { origin: cluster.origin });
    await playerState(page, ['paused']);
    await assertPlays(page);
    await page.browserContext().close();
    const after = cluster.env.VEIL_DATABASE_URL!;
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--db', after], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.ok((await count(after)) > recordsBefore, 'the chain continues after the restart');
  });
});

async function setGeneralAccess(port: number, token: string, videoId: string, value: 'restricted' | 'org'): Promise<void> {
  const url = `http://127.0.0.1:${port}/api/videos/${videoId}/access`;
  const current = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(current.status, 200);
  const saved = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': current.headers.get('etag')! },
    body: JSON.stringify({ changes: [{ op: 'general-access', value }] }),
  });
  assert.equal(saved.status, 200, await saved.clone().text());
}

async function count(url: string): Promise<number> {
  const store = await PostgresAuditStore.open(url);
  let records = 0;
  for await (const _ of store.scan()) records += 1;
  await store.close();
  return records;
}

/** A `Handler` for `TusTestClient` that sends its requests (made for `ORIGIN`) to `base`. */
function forwardTo(base: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = request.url.startsWith(ORIGIN) ? base + request.url.slice(ORIGIN.length) : request.url;
    const body = request.method === 'PATCH' ? await request.arrayBuffer() : undefined;
    return fetch(url, { method: request.method, headers: request.headers, body });
  };
}

/** A forged-token playback-session request from `localAddress` (fetch cannot pick the source address). */
function fromAddress(localAddress: string, url: string, headers: Record<string, string>): Promise<{ status: number; code: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', localAddress, headers: { ...headers, authorization: 'Bearer not-a-token', 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, code: (JSON.parse(text) as { error: { code: string } }).error.code }));
    });
    request.once('error', reject).end(JSON.stringify({ videoId: 'sample-dash' }));
  });
}

async function waitForStatus(token: string, videoId: string, status: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const response = await fetch(`${cluster.origin}/api/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } });
    const document = (await response.json()) as { status?: string };
    if (document.status === status) return;
    assert.ok(Date.now() < deadline, `video ${videoId} did not become ${status}: ${JSON.stringify(document)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
