/**
 * `decide()`, the one access decision: table tests at the edges (the expiry instant, the policy's
 * maximum, roles and sharing) and a property test over random sequences of grants, revocations,
 * groups, policies and clock moves: it never allows outside the perimeter, never through an
 * expired or revoked grant, and never without a reason (owner, live grant, org access).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decide, principalsOf } from '../../src/server/access/decide.js';
import { DAY_MS, DEFAULT_SHARING_POLICY, type AccessSubject, type Grant, type SharingPolicy, type VideoAccessState } from '../../src/server/access/model.js';
import type { Principal } from '../../src/protocol/sharing.js';

const T = 1_800_000_000_000;
const inside = (sub: string, groups: string[] = [], org = 'acme'): AccessSubject => ({ sub, org, groups, perimeterViolation: undefined });
const grantOf = (principal: Principal, overrides: Partial<Grant> = {}): Grant => ({ principal, role: 'viewer', expiresAt: null, grantedBy: 'alice', grantedAt: T - DAY_MS, ...overrides });
const videoWith = (grants: Grant[], overrides: Partial<VideoAccessState> = {}): VideoAccessState => ({
  id: 'v', org: 'acme', owner: 'alice', generalAccess: 'restricted', grants, policy: DEFAULT_SHARING_POLICY, ...overrides,
});
const allowed = (subject: AccessSubject, video: VideoAccessState, now = T, action: 'view' | 'share' = 'view') => decide(subject, video, action, now).allowed;

describe('decide(): table', () => {
  it('a grant gives access until its expiry instant, not at it or after', () => {
    const video = videoWith([grantOf('user:bob', { expiresAt: T })]);
    assert.equal(allowed(inside('bob'), video, T - 1), true);
    assert.equal(allowed(inside('bob'), video, T), false);
    assert.equal(allowed(inside('bob'), video, T + 1), false);
    assert.deepEqual(decide(inside('bob'), video, 'view', T), { allowed: false, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('a group grant expires at the same instant for every member', () => {
    const video = videoWith([grantOf('group:staff', { expiresAt: T })]);
    assert.equal(allowed(inside('bob', ['staff']), video, T - 1), true);
    assert.equal(allowed(inside('carol', ['staff']), video, T), false);
    assert.equal(allowed(inside('carol', ['other']), video, T - 1), false);
  });

  it("the policy's maximum: a grant longer than it (or without expiry) gives nothing; one exactly at it does", () => {
    const policy: SharingPolicy = { ...DEFAULT_SHARING_POLICY, maxExpiryDays: 30 };
    const grantedAt = T - DAY_MS;
    const at = (expiresAt: number | null) => allowed(inside('bob'), videoWith([grantOf('user:bob', { grantedAt, expiresAt })], { policy }));
    assert.equal(at(grantedAt + 30 * DAY_MS), true);
    assert.equal(at(grantedAt + 30 * DAY_MS + 1), false);
    assert.equal(at(null), false);
  });

  it('outside the perimeter nothing counts, the owner included; another org is not granted', () => {
    const video = videoWith([grantOf('user:mallory')], { generalAccess: 'org' });
    assert.deepEqual(decide({ ...inside('alice'), perimeterViolation: 'org' }, video, 'view', T), { allowed: false, code: 'PERIMETER_DENIED' });
    assert.deepEqual(decide({ ...inside('mallory'), perimeterViolation: 'issuer' }, video, 'view', T), { allowed: false, code: 'PERIMETER_DENIED' });
    assert.deepEqual(decide(inside('mallory', [], 'globex'), video, 'view', T), { allowed: false, code: 'PLAYBACK_NOT_GRANTED' });
  });

  it('general access org gives viewer to the org while the policy allows it', () => {
    const video = videoWith([], { generalAccess: 'org' });
    assert.deepEqual(decide(inside('carol'), video, 'view', T), { allowed: true, role: 'viewer' });
    assert.equal(allowed(inside('carol'), { ...video, policy: { ...DEFAULT_SHARING_POLICY, orgAccessAllowed: false } }), false);
  });

  it('the highest live role wins; sharing needs owner, or editor where editors may share', () => {
    const video = videoWith([grantOf('user:bob'), grantOf('group:staff', { role: 'editor' }), grantOf('user:carol', { role: 'editor', expiresAt: T })]);
    assert.deepEqual(decide(inside('bob', ['staff']), video, 'share', T), { allowed: true, role: 'editor' });
    assert.deepEqual(decide(inside('bob'), video, 'share', T), { allowed: false, code: 'SHARE_NOT_ALLOWED', role: 'viewer' });
    assert.deepEqual(decide(inside('carol'), video, 'share', T), { allowed: false, code: 'PLAYBACK_NOT_GRANTED' });
    assert.deepEqual(decide(inside('alice'), video, 'share', T), { allowed: true, role: 'owner' });
    const strict = { ...video, policy: { ...DEFAULT_SHARING_POLICY, editorsMayShare: false } };
    assert.deepEqual(decide(inside('bob', ['staff']), strict, 'share', T), { allowed: false, code: 'SHARE_NOT_ALLOWED', role: 'editor' });
  });
});

describe('decide(): property over random histories', () => {
  const SUBS = ['alice', 'bob', 'carol', 'dave'] as const;
  const GROUPS = ['g1', 'g2', 'g3'] as const;
  const principal = fc.oneof(fc.constantFrom(...SUBS).map((s) => `user:${s}` as Principal), fc.constantFrom(...GROUPS).map((g) => `group:${g}` as Principal));
  const command = fc.oneof(
    fc.record({ op: fc.constant('grant' as const), principal, role: fc.constantFrom('viewer' as const, 'editor' as const), lifetime: fc.option(fc.integer({ min: 1, max: 40 * DAY_MS }), { nil: null }) }),
    fc.record({ op: fc.constant('revoke' as const), principal }),
    fc.record({ op: fc.constant('general' as const), value: fc.constantFrom('restricted' as const, 'org' as const) }),
    fc.record({ op: fc.constant('policy' as const), orgAccessAllowed: fc.boolean(), maxExpiryDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }), editorsMayShare: fc.boolean() }),
    fc.record({ op: fc.constant('clock' as const), by: fc.integer({ min: 0, max: 20 * DAY_MS }) }),
    fc.record({ op: fc.constant('groups' as const), sub: fc.constantFrom(...SUBS), groups: fc.subarray([...GROUPS]) }),
  );
  const asker = fc.record({
    sub: fc.constantFrom(...SUBS, 'mallory'),
    org: fc.constantFrom('acme', 'acme', 'acme', 'globex', undefined),
    violation: fc.option(fc.constantFrom('issuer' as const, 'org' as const, 'groups' as const, 'email-domain' as const), { nil: undefined, freq: 3 }),
  });

  it('never allows outside the perimeter, after expiry or revocation, or without a reason (10 000 histories)', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 25 }), fc.array(asker, { minLength: 1, maxLength: 4 }), (commands, askers) => {
        let now = T;
        const grants = new Map<Principal, Grant>();
        const revokedAt = new Map<Principal, number>();
        const memberships = new Map<string, readonly string[]>();
        let video = videoWith([]);
        for (const c of commands) {
          switch (c.op) {
            case 'grant':
              grants.set(c.principal, grantOf(c.principal, { role: c.role, grantedAt: now, expiresAt: c.lifetime === null ? null : now + c.lifetime }));
              revokedAt.delete(c.principal);
              break;
            case 'revoke':
              grants.delete(c.principal);
              revokedAt.set(c.principal, now);
              break;
            case 'general':
              video = { ...video, generalAccess: c.value };
              break;
            case 'policy':
              video = { ...video, policy: { ...video.policy, orgAccessAllowed: c.orgAccessAllowed, maxExpiryDays: c.maxExpiryDays, editorsMayShare: c.editorsMayShare } };
              break;
            case 'clock':
              now += c.by;
              break;
            case 'groups':
              memberships.set(c.sub, c.groups);
          }
          video = { ...video, grants: [...grants.values()] };
          for (const a of askers) {
            const subject: AccessSubject = { sub: a.sub, org: a.org, groups: memberships.get(a.sub) ?? [], perimeterViolation: a.violation };
            for (const action of ['view', 'share'] as const) {
              const decision = decide(subject, video, action, now);
              if (!decision.allowed) continue;
              assert.equal(subject.perimeterViolation, undefined, 'allowed outside the perimeter');
              assert.equal(subject.org, video.org, 'allowed from another org');
              const mine = principalsOf(subject);
              const live = video.grants.filter((g) => mine.has(g.principal) && (g.expiresAt === null || now < g.expiresAt));
              for (const g of video.grants) assert.ok(!revokedAt.has(g.principal), 'a revoked principal still has a grant');
              const orgAccess = video.generalAccess === 'org' && video.policy.orgAccessAllowed;
              const reason = subject.sub === video.owner || live.length > 0 || (action === 'view' && orgAccess);
              assert.ok(reason, `allowed ${action} without owner, live grant or org access (now ${now})`);
              if (action === 'share') assert.ok(subject.sub === video.owner || (video.policy.editorsMayShare && live.some((g) => g.role === 'editor')), 'shares without owner or editor');
            }
            // Completeness where it is certain: the owner inside the perimeter always watches.
            if (subject.sub === video.owner && subject.org === video.org && subject.perimeterViolation === undefined) assert.equal(decide(subject, video, 'view', now).allowed, true);
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
