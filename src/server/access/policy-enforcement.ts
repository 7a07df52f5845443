/**
 * A tightened sharing policy, applied to what is stored: grants the policy no longer gives
 * (longer than its maximum expiry) and general access `org` it no longer allows are revoked, with
 * the audit reason `policy`. `decide()` already refuses them from the moment the policy is saved;
 * revoking them for real means a policy loosened later does not silently bring them back.
 */
import type { ServerAuditEvent, ServerAuditLog } from '../audit/server-events.js';
import type { AccessUpdate, GrantRepository, VideoAccess } from '../storage/grants.js';
import { grantIsEffective } from './decide.js';
import type { SharingPolicy } from './model.js';

/** Saves are compare-and-set: a video edited meanwhile is read again, at most this many times. */
const MAX_ATTEMPTS = 5;

/**
 * What `policy` invalidates in one video's access at `now`, or undefined for nothing. Grants that
 * have simply expired are left to the expiry sweep (which records `share-expired`).
 */
export function invalidatedBy(access: VideoAccess, policy: SharingPolicy, now: number): AccessUpdate | undefined {
  const remove = access.grants.filter((grant) => !(grant.expiresAt !== null && now >= grant.expiresAt) && !grantIsEffective(grant, policy, now)).map((grant) => grant.principal);
  const closeOrg = access.generalAccess === 'org' && !policy.orgAccessAllowed;
  if (!remove.length && !closeOrg) return undefined;
  return { put: [], remove, ...(closeOrg ? { generalAccess: 'restricted' as const } : {}) };
}

export interface EnforcementResult {
  grants: number;
  generalAccess: number;
}

/** Revokes, in every video of `org`, what `policy` invalidates; audited as done by `actor`. */
export async function enforcePolicy(options: {
  grants: Pick<GrantRepository, 'listByOrg' | 'read' | 'save'>;
  audit: ServerAuditLog;
  org: string;
  policy: SharingPolicy;
  actor: string;
  now: number;
}): Promise<EnforcementResult> {
  const { grants, org, policy, now } = options;
  const result: EnforcementResult = { grants: 0, generalAccess: 0 };
  for (const { videoId, access: listed } of await grants.listByOrg(org)) {
    let access: VideoAccess | undefined = listed;
    for (let attempt = 0; access && attempt < MAX_ATTEMPTS; attempt += 1) {
      const update = invalidatedBy(access, policy, now);
      if (!update) break;
      if ((await grants.save(videoId, access.version, update)).saved) {
        result.grants += update.remove.length;
        if (update.generalAccess) result.generalAccess += 1;
        await options.audit(revocationRecords(videoId, org, options.actor, update));
        break;
      }
      access = await grants.read(videoId);
    }
  }
  return result;
}

function revocationRecords(video: string, org: string, actor: string, update: AccessUpdate): ServerAuditEvent[] {
  const base = { actor, org, video };
  return [
    ...(update.generalAccess ? [{ ...base, type: 'general-access-changed' as const, data: { from: 'org', to: update.generalAccess, reason: 'policy' } }] : []),
    ...update.remove.map((principal) => ({ ...base, type: 'share-revoked' as const, data: { principal, reason: 'policy' } })),
  ];
}
