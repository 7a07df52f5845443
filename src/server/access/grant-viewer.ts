/**
 * Gives one principal `viewer` on a video unless it already holds a grant that counts — what an
 * LTI deep link does for its course (and the demo for course c101). A concurrent save moves the
 * access version on; the grant is then re-read and tried again, so no one else's change is lost.
 */
import { VeilError } from '../../protocol/errors.js';
import type { Principal } from '../../protocol/sharing.js';
import type { GrantRepository } from '../storage/grants.js';

const ATTEMPTS = 3;

/** `granted` when a grant was saved, `kept` when the principal already had one unexpired. */
export async function grantViewer(grants: Pick<GrantRepository, 'read' | 'save'>, videoId: string, principal: Principal, grantedBy: string, now = Date.now()): Promise<'granted' | 'kept'> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const access = await grants.read(videoId);
    if (!access) throw new VeilError('NOT_FOUND', { message: 'No such video.' });
    const held = access.grants.find((grant) => grant.principal === principal);
    if (held && (held.expiresAt === null || held.expiresAt > now)) return 'kept';
    const saved = await grants.save(videoId, access.version, { put: [{ principal, role: 'viewer', expiresAt: null, grantedBy, grantedAt: now }], remove: [] });
    if (saved.saved) return 'granted';
  }
  throw new VeilError('SHARE_CONFLICT');
}
