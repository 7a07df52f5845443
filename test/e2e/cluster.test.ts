/**
 * The scale-out demo for real: `startCluster` (PostgreSQL, s3rver, the dev IdP, two replicas of
 * the demo, nginx round-robin) with 5 s playback tokens, once for the file; Chromium plays through
 * nginx. Playback survives a SIGKILLed replica, renewals are served by both replicas (counted in
 * their JSON request logs), concurrent audit appends stay one chain, and a revocation saved
 * through one replica is refused by the other.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { startCluster, type Cluster, type Replica } from '../../scripts/cluster.js';
import { PostgresAuditStore } from '../../src/server/audit/postgres-store.js';
import { instrumentedPage, probe } from '../support/playback-probe.js';
import { launchChromium, playerState, signInAndWatch, storedAccessToken } from '../support/browser.js';

const TTL_SECONDS = 5;
const DIR = `.cache/cluster-test-${process.pid}`;
let cluster: Cluster;
let browser: Browser;

before(async () => {
  cluster = await startCluster({ port: 0, dir: DIR, env: { VEIL_TOKEN_TTL: String(TTL_SECONDS) }, log: () => {} });
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

let aliceAccessToken: string;

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

    const before = served(two, 'GET', '/api/jwks');
    await two.restart();
    const deadline = Date.now() + 15_000;
    while (served(two, 'GET', '/api/jwks') === before) {
      assert.equal((await fetch(`${cluster.origin}/api/jwks`)).status, 200);
      assert.ok(Date.now() < deadline, 'the restarted replica never served a request through nginx');
    }
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
