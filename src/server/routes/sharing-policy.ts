/**
 * The org sharing policy, for the caller's own org (from the verified token; an admin never reaches
 * another org's): `GET /api/sharing-policy` for any member (the dialog's limits come from it too),
 * `PUT` for the org's admins (the admin group in the token's `groups`). A saved policy bites at the
 * next decision (token issue or renewal); what it invalidates is then revoked and recorded.
 */
import { VeilError } from '../../protocol/errors.js';
import { API_ROUTES } from '../../protocol/paths.js';
import { parseWith } from '../../protocol/schemas.js';
import { SharingPolicySchema, type SharingPolicyBody, type SharingPolicyDocument } from '../../protocol/sharing.js';
import type { Viewer } from '../../protocol/viewer.js';
import { enforcePolicy } from '../access/policy-enforcement.js';
import type { SharingPolicy } from '../access/model.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import type { RouteDefinition } from '../context.js';
import { readJsonBody } from '../http/body.js';
import { fail, jsonResponse } from '../http/json.js';
import type { GrantRepository } from '../storage/grants.js';
import type { SharingPolicyRepository } from '../storage/sharing-policies.js';
import { sharingCaller, type AccessRouteDeps } from './access.js';

const MAX_POLICY_BYTES = 1024;

export interface SharingPolicyRouteDeps extends Pick<AccessRouteDeps, 'verifyAccessToken' | 'authorizer' | 'guard'> {
  /** Where admins' policies are kept; without it the policy is the configured default and `PUT` is refused. */
  policies: SharingPolicyRepository | undefined;
  /** The policy of an org that has none stored. */
  defaultPolicy: (org: string) => SharingPolicy;
  grants: Pick<GrantRepository, 'listByOrg' | 'read' | 'save'>;
  audit: ServerAuditLog;
  adminGroup: string;
  now?: () => number;
}

export function sharingPolicyRoutes(deps: SharingPolicyRouteDeps): RouteDefinition[] {
  const now = deps.now ?? Date.now;

  async function member(request: Request): Promise<Viewer & { org: string }> {
    const viewer = await sharingCaller(deps, request);
    if (!viewer.org) throw new VeilError('PERIMETER_DENIED', { data: { reason: 'org' } });
    return viewer as Viewer & { org: string };
  }

  async function current(org: string): Promise<SharingPolicyDocument> {
    const stored = await deps.policies?.get(org);
    return stored ? { org, policy: stored.policy, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt } : { org, policy: { ...deps.defaultPolicy(org) }, updatedBy: null, updatedAt: null };
  }

  return [
    {
      path: API_ROUTES.sharingPolicy,
      method: 'GET',
      limit: 'admin',
      async handle({ request }) {
        return jsonResponse(await current((await member(request)).org));
      },
    },
    {
      path: API_ROUTES.sharingPolicy,
      method: 'PUT',
      limit: 'admin',
      async handle({ request }) {
        const admin = await member(request);
        if (!admin.groups.includes(deps.adminGroup)) throw new VeilError('SHARING_POLICY_ADMIN_REQUIRED');
        const parsed = parseWith(SharingPolicySchema, await readJsonBody(request, MAX_POLICY_BYTES, 'sharing policy'));
        if (!parsed.ok) fail('BAD_REQUEST', `The request body is not valid: ${parsed.message}.`);
        const policy: SharingPolicyBody = parsed.value;
        if (!deps.policies) fail('BAD_REQUEST', 'This service has a fixed sharing policy (no policy store is configured).');
        const at = now();
        // The policy first: from here on decide() refuses what it invalidates, then it is revoked for good.
        await deps.policies.put(admin.org, { policy, updatedBy: admin.sub, updatedAt: at });
        await deps.audit([
          {
            type: 'sharing-policy-changed',
            actor: admin.sub,
            org: admin.org,
            video: null,
            data: { orgAccessAllowed: policy.orgAccessAllowed, defaultExpiryDays: policy.defaultExpiryDays ?? undefined, maxExpiryDays: policy.maxExpiryDays ?? undefined, editorsMayShare: policy.editorsMayShare },
          },
        ]);
        const revoked = await enforcePolicy({ grants: deps.grants, audit: deps.audit, org: admin.org, policy, actor: admin.sub, now: at });
        return jsonResponse({ ...(await current(admin.org)), revoked } satisfies SharingPolicyDocument);
      },
    },
  ];
}
