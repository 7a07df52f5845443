/** Access changes straight through a `GrantRepository`, as the access API saves them (one version at a time). */
import type { GeneralAccess, GrantRole, Principal } from '../../src/protocol/sharing.js';
import type { AccessUpdate, GrantRepository } from '../../src/server/storage/grants.js';

export async function changeAccess(grants: GrantRepository, videoId: string, update: Partial<AccessUpdate>): Promise<void> {
  const access = await grants.read(videoId);
  if (!access) throw new Error(`no video ${videoId}`);
  const result = await grants.save(videoId, access.version, { put: [], remove: [], ...update });
  if (!result.saved) throw new Error(`access of ${videoId} changed meanwhile`);
}

export const setGeneralAccess = (grants: GrantRepository, videoId: string, generalAccess: GeneralAccess) => changeAccess(grants, videoId, { generalAccess });

export const grant = (grants: GrantRepository, videoId: string, principal: Principal, role: GrantRole = 'viewer', expiresAt: number | null = null) =>
  changeAccess(grants, videoId, { put: [{ principal, role, expiresAt, grantedBy: 'test', grantedAt: Date.now() }] });

export const revoke = (grants: GrantRepository, videoId: string, principal: Principal) => changeAccess(grants, videoId, { remove: [principal] });
