/**
 * The one access decision: pure, synchronous, no I/O, so it is property-tested alone and cheap
 * enough to run on every token issue, renewal, key and license request.
 *
 * Deny overrides: a subject outside the perimeter or of another org is refused whatever the
 * grants say. Otherwise the subject's role is the highest of: owner; each grant naming the
 * subject or one of its groups that is neither expired (`now >= expiresAt`) nor longer than the
 * policy's maximum; viewer through general access `org` while the policy allows it.
 */
import { roleRank, type AccessRole, type Principal } from '../../protocol/sharing.js';
import { DAY_MS, type AccessAction, type AccessSubject, type Grant, type SharingPolicy, type VideoAccessState } from './model.js';

export type Decision =
  | { allowed: true; role: AccessRole }
  | {
      allowed: false;
      /** `PERIMETER_DENIED`: outside; `PLAYBACK_NOT_GRANTED`: no role at all; `SHARE_NOT_ALLOWED`: a role, but not one that shares. */
      code: 'PERIMETER_DENIED' | 'PLAYBACK_NOT_GRANTED' | 'SHARE_NOT_ALLOWED';
      role?: AccessRole;
    };

/** Whether a grant gives anything at `now` under `policy`. */
export function grantIsEffective(grant: Grant, policy: SharingPolicy, now: number): boolean {
  if (grant.expiresAt !== null && now >= grant.expiresAt) return false;
  if (policy.maxExpiryDays !== null) {
    const latest = grant.grantedAt + policy.maxExpiryDays * DAY_MS;
    if (grant.expiresAt === null || grant.expiresAt > latest) return false;
  }
  return true;
}

/** The principals a subject answers to (an LTI viewer: only its course). */
export function principalsOf(subject: Pick<AccessSubject, 'sub' | 'groups' | 'course'>): Set<Principal> {
  if (subject.course !== undefined) return new Set<Principal>([subject.course]);
  return new Set<Principal>([`user:${subject.sub}`, ...subject.groups.map((group) => `group:${group}` as const)]);
}

/** The subject's role on the video at `now`, ignoring the perimeter (see `decide`). */
export function effectiveRole(subject: AccessSubject, video: VideoAccessState, now: number): AccessRole | undefined {
  // An LTI viewer's perimeter is its course: never the owner's role, never the org-wide catalogue.
  const course = subject.course !== undefined;
  if (!course && subject.sub === video.owner) return 'owner';
  const principals = principalsOf(subject);
  let best: AccessRole | undefined = !course && video.generalAccess === 'org' && video.policy.orgAccessAllowed ? 'viewer' : undefined;
  for (const grant of video.grants) {
    if (!principals.has(grant.principal) || !grantIsEffective(grant, video.policy, now)) continue;
    if (best === undefined || roleRank(grant.role) > roleRank(best)) best = grant.role;
  }
  return best;
}

export function decide(subject: AccessSubject, video: VideoAccessState, action: AccessAction, now: number): Decision {
  if (subject.perimeterViolation !== undefined) return { allowed: false, code: 'PERIMETER_DENIED' };
  // Another org's member (a deployment whose perimeter spans orgs) learns no more than a non-grantee.
  if (subject.org !== video.org) return { allowed: false, code: 'PLAYBACK_NOT_GRANTED' };
  const role = effectiveRole(subject, video, now);
  if (role === undefined) return { allowed: false, code: 'PLAYBACK_NOT_GRANTED' };
  if (action === 'view') return { allowed: true, role };
  const shares = role === 'owner' || (role === 'editor' && video.policy.editorsMayShare);
  return shares ? { allowed: true, role } : { allowed: false, code: 'SHARE_NOT_ALLOWED', role };
}
