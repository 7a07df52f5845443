/**
 * Each org's sharing policy as its admins set it (`PUT /api/sharing-policy`). An org without a
 * stored policy has the service's configured default.
 */
import type { SharingPolicy } from '../access/model.js';

export interface StoredSharingPolicy {
  policy: SharingPolicy;
  /** `sub` of the admin who set it, and when (epoch ms). */
  updatedBy: string;
  updatedAt: number;
}

export interface SharingPolicyRepository {
  get(org: string): Promise<StoredSharingPolicy | undefined>;
  /** Inserts or replaces the org's policy. */
  put(org: string, stored: StoredSharingPolicy): Promise<void>;
}
