/**
 * The token service's perimeter gate: the shared claim rule (`src/identity/perimeter.ts`) applied
 * to a verified viewer identity, failing with `PERIMETER_DENIED` and the reason in `data.reason`.
 */
import { VeilError } from '../../protocol/errors.js';
import { perimeterViolation, type PerimeterPolicy } from '../../protocol/perimeter.js';
import type { Viewer } from '../../protocol/viewer.js';

export type { PerimeterPolicy, PerimeterViolation } from '../../protocol/perimeter.js';

export function checkPerimeter(identity: Viewer, policy: PerimeterPolicy): void {
  const reason = perimeterViolation(identity, policy);
  if (reason) throw new VeilError('PERIMETER_DENIED', { data: { reason } });
}
