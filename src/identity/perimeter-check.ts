/**
 * The browser's early perimeter check on a signed-in session (cosmetic: a non-member downloads and
 * requests nothing; the token service enforces the perimeter for real on every issue). One place
 * for every element, so the player's shell, its playback, the recorder and the share dialog refuse
 * the same viewers with the same error.
 */
import { VeilError } from '../protocol/errors.js';
import { perimeterViolation } from '../protocol/perimeter.js';
import type { VeilSessionState } from './types.js';

/** `PERIMETER_DENIED` (with the failing rule) for a session outside its perimeter, else undefined; a session without claims fails on `issuer`. */
export function perimeterDenial(session: Pick<VeilSessionState, 'claims' | 'perimeter'>): VeilError | undefined {
  const reason = session.claims ? perimeterViolation(session.claims, session.perimeter) : 'issuer';
  return reason ? new VeilError('PERIMETER_DENIED', { data: { reason } }) : undefined;
}
