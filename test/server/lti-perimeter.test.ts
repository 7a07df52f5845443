/**
 * The course perimeter through the real token service: an LTI session token is accepted by the
 * playback-session route like an access token, and its viewer may watch only videos granted to
 * its course context (`lti-context:<issuer>/<deployment>/<context>`) — not the org-wide catalogue,
 * not the owner's videos by a coincidence of `sub`, not another course's. Keys follow the same
 * rule through the playback token's `ctx`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet } from 'jose';
import { createOidcVerifier } from '../../src/server/identity/index.js';
import { coursePrincipal } from '../../src/server/lti/claims.js';
import { createLtiTool, type LtiTool } from '../../src/server/lti/tool.js';
import type { LtiSessionSubject } from '../../src/server/lti/session-token.js';
import { createPlaybackTokenService } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import type { Handler } from '../../src/server/http.js';
import { sampleVideo } from './contracts/video-repository.js';
import { openTestStorage, type TestStorage } from '../support/storage.js';

const ORIGIN = 'https://video.test';
const PLATFORM = 'https://lms.test';
let storage: TestStorage;
let tool: LtiTool;
let service: Handler;

const learner = (cid: string, extra: Partial<LtiSessionSubject> = {}): LtiSessionSubject => ({ plat: PLATFORM, dep: 'd1', cid, lsub: 'student-7', org: 'acme', role: 'learner', ...extra });

before(async () => {
  storage = await openTestStorage();
  tool = createLtiTool({ publicUrl: ORIGIN, store: storage.lti, signingKeys: storage.signingKeys, toolKeys: storage.ltiToolKeys, assets: { scripts: [] } });
  const kid = '0123456789abcdef0123456789abcdef';
  for (const video of [
    sampleVideo('course-video', { generalAccess: 'restricted' }),
    sampleVideo('org-video', { generalAccess: 'org' }),
    sampleVideo('other-course', { generalAccess: 'restricted' }),
    // Owned by a Veil user whose `sub` equals the LTI learner's full LTI sub: still not the owner.
    sampleVideo('lookalike', { generalAccess: 'restricted', owner: `lti:${PLATFORM}#student-7` }),
  ]) {
    await storage.videos.put({ ...video, protection: { scheme: 'cenc', kids: [kid] } });
    await storage.keys.put(video.id, [{ kid, key: new Uint8Array(16).fill(7) }]);
  }
  const grant = async (videoId: string, principal: string) => {
    const access = (await storage.grants.read(videoId))!;
    await storage.grants.save(videoId, access.version, { put: [{ principal: principal as `lti-context:${string}`, role: 'viewer', expiresAt: null, grantedBy: 'alice@acme.test', grantedAt: Date.now() }], remove: [] });
  };
  await grant('course-video', coursePrincipal(PLATFORM, 'd1', 'c101'));
  await grant('other-course', coursePrincipal(PLATFORM, 'd1', 'c202'));
  service = createVeilService({
    publicUrl: ORIGIN,
    identity: [createOidcVerifier({ issuer: 'https://idp.test', audience: `${ORIGIN}/api`, jwks: createLocalJWKSet({ keys: [] }) }), tool.verifier],
    perimeter: { issuer: 'https://idp.test', issuers: [tool.issuer], org: 'acme' },
    videos: storage.videos,
    grants: storage.grants,
    keys: storage.keys,
    media: storage.media,
    playbackTokens: createPlaybackTokenService({ issuer: ORIGIN, audience: `${ORIGIN}/media`, keys: storage.signingKeys, ttlSeconds: 60 }),
  });
});

after(() => storage.close());

async function play(subject: LtiSessionSubject, videoId: string): Promise<Response> {
  const { token } = await tool.sessions.sign(subject);
  return service(new Request(`${ORIGIN}/api/playback-sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ videoId }) }));
}

async function code(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('LTI course perimeter', () => {
  it("a learner of c101 gets a playback session for c101's video, and its key", async () => {
    const response = await play(learner('c101'), 'course-video');
    assert.equal(response.status, 201);
    const session = (await response.json()) as { token: string; watermark: { text: string } };
    const license = await service(
      new Request(`${ORIGIN}/api/license/course-video`, { method: 'POST', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ kids: [Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64url')], type: 'temporary' }) }),
    );
    assert.equal(license.status, 200);
  });

  it('a learner of c202 is refused the video granted to c101', async () => {
    const response = await play(learner('c202'), 'course-video');
    assert.equal(response.status, 403);
    assert.equal(await code(response), 'PLAYBACK_NOT_GRANTED');
  });

  it('the org-wide catalogue is closed to an LTI viewer', async () => {
    assert.equal(await code(await play(learner('c101'), 'org-video')), 'PLAYBACK_NOT_GRANTED');
  });

  it('an LTI viewer is never an owner, whatever its sub', async () => {
    assert.equal(await code(await play(learner('c101'), 'lookalike')), 'PLAYBACK_NOT_GRANTED');
  });

  it('a course of another deployment or org gets nothing', async () => {
    assert.equal(await code(await play(learner('c101', { dep: 'd2' }), 'course-video')), 'PLAYBACK_NOT_GRANTED');
    assert.equal(await code(await play(learner('c101', { org: 'globex' }), 'course-video')), 'PERIMETER_DENIED');
  });

  it("c101's playback token does not open c202's video's key", async () => {
    const response = await play(learner('c101'), 'course-video');
    const { token } = (await response.json()) as { token: string };
    const key = await service(new Request(`${ORIGIN}/api/license/other-course`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"kids":["AA"]}' }));
    assert.equal(key.status, 403);
  });

  it('a forged or foreign session token is refused like any bad access token', async () => {
    const response = await service(new Request(`${ORIGIN}/api/playback-sessions`, { method: 'POST', headers: { authorization: 'Bearer a.b.c', 'content-type': 'application/json' }, body: '{"videoId":"course-video"}' }));
    assert.equal(response.status, 401);
  });
});
