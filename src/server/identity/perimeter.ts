/**
 * The token service's perimeter gate: the shared claim rule (`src/protocol/perimeter.ts`) applied
 * to a verified viewer, failing with `PERIMETER_DENIED` and the reason in `data.reason`. A server
 * that trusts several identity providers lists their issuers in `issuers`.
 */
import { VeilError } from '../../protocol/errors.js';
import { perimeterViolation, type PerimeterPolicy } from '../../protocol/perimeter.js';
import type { Viewer } from '../../protocol/viewer.js';

export type { PerimeterPolicy, PerimeterViolation } from '../../protocol/perimeter.js';

export function checkPerimeter(viewer: Viewer, policy: PerimeterPolicy): void {
  const reason = perimeterViolation(viewer, policy);
  if (reason) throw new VeilError('PERIMETER_DENIED', { data: { reason } });
}
