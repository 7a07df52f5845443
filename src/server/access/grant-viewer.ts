/**
 * Gives one principal `viewer` on a video unless it already holds a grant that counts — what an
 * LTI deep link does for its course (and the demo for course c101). A concurrent save moves the
 * access version on; the grant is then re-read and tried again, so no one else's change is lost.
 * A saved grant comes back with the access it replaced, for the caller's audit record.
 */
import { VeilError } from '../../protocol/errors.js';
import type { Principal } from '../../protocol/sharing.js';
import type { AccessUpdate, GrantRepository, VideoAccess } from '../storage/grants.js';

const ATTEMPTS = 3;

/** `granted` (with the batch saved and the access before it) or `kept` when the principal already had a grant unexpired. */
export type GrantViewerResult = { outcome: 'granted'; before: VideoAccess; update: AccessUpdate } | { outcome: 'kept' };

export async function grantViewer(grants: Pick<GrantRepository, 'read' | 'save'>, videoId: string, principal: Principal, grantedBy: string, now = Date.now()): Promise<GrantViewerResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const access = await grants.read(videoId);
    if (!access) throw new VeilError('NOT_FOUND', { message: 'No such video.' });
    const held = access.grants.find((grant) => grant.principal === principal);
    if (held && (held.expiresAt === null || held.expiresAt > now)) return { outcome: 'kept' };
    const update: AccessUpdate = { put: [{ principal, role: 'viewer', expiresAt: null, grantedBy, grantedAt: now }], remove: [] };
    const saved = await grants.save(videoId, access.version, update);
    if (saved.saved) return { outcome: 'granted', before: access, update };
  }
  throw new VeilError('SHARE_CONFLICT');
}
