/**
 * The grant model as the decision sees it: who asks (a subject whose groups are already
 * resolved), what a video's access is (owner, general access, grants), and the org's policy.
 * Times are epoch milliseconds on the server's clock.
 */
import type { GeneralAccess, GrantRole, Principal } from '../../protocol/sharing.js';
import type { PerimeterViolation } from '../../protocol/perimeter.js';

export interface Grant {
  principal: Principal;
  role: GrantRole;
  /** The grant gives nothing from this instant on; null = no expiry. */
  expiresAt: number | null;
  /** `sub` of who granted it, and when. */
  grantedBy: string;
  grantedAt: number;
}

/** An org's sharing policy (set by its admins); a tightened policy bites at the next decision. */
export interface SharingPolicy {
  /** Whether general access `org` may be chosen (and, where it was, still counts). */
  orgAccessAllowed: boolean;
  /** Expiry a new grant gets unless another is chosen (days); null = none. */
  defaultExpiryDays: number | null;
  /** Longest a grant may last from when it was given (days); null = no limit. Longer grants give nothing. */
  maxExpiryDays: number | null;
  /** Whether editors may change grants (owners always may). */
  editorsMayShare: boolean;
}

export const DEFAULT_SHARING_POLICY: SharingPolicy = Object.freeze({
  orgAccessAllowed: true,
  defaultExpiryDays: null,
  maxExpiryDays: null,
  editorsMayShare: true,
});

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Who asks: a verified identity, its perimeter verdict, and every group it is in right now. */
export interface AccessSubject {
  sub: string;
  org: string | undefined;
  /** Token groups and directory groups of the subject's org, resolved for this decision. */
  groups: readonly string[];
  /** The first perimeter rule the subject breaks, or undefined when inside. */
  perimeterViolation: PerimeterViolation | undefined;
  /** An LTI viewer's course (`lti-context:…`): then only grants to it count — no owner, user, group or org access. */
  course?: Principal;
}

/** A video's access, read for one decision. */
export interface VideoAccessState {
  id: string;
  org: string;
  owner: string;
  generalAccess: GeneralAccess;
  grants: readonly Grant[];
  policy: SharingPolicy;
}

/** `view`: playback sessions, renewals, keys, licenses; `share`: read and change the access. */
export type AccessAction = 'view' | 'share';
