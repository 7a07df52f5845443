/**
 * The token service's perimeter gate: the shared claim rule (`src/identity/perimeter.ts`) applied
 * to a verified viewer identity, failing with `PERIMETER_DENIED` and the reason in `data.reason`.
 */
import { VeilError } from '../../errors.js';
import { perimeterViolation, type PerimeterPolicy } from '../../identity/perimeter.js';
import type { ViewerIdentity } from './access-token.js';

export type { PerimeterPolicy, PerimeterViolation } from '../../identity/perimeter.js';

export function checkPerimeter(identity: ViewerIdentity, policy: PerimeterPolicy): void {
  const reason = perimeterViolation(identity, policy);
  if (reason) throw new VeilError('PERIMETER_DENIED', { data: { reason } });
}
