/** `SharingPolicyRepository` over Kysely: one row per org, booleans as 0/1 (portable). */
import type { Kysely } from 'kysely';
import type { SharingPolicyRepository, StoredSharingPolicy } from '../sharing-policies.js';
import { prepared } from './prepared.js';
import type { SharingPoliciesTable, VeilDatabase } from './schema.js';

export class KyselySharingPolicyRepository implements SharingPolicyRepository {
  // Read at every decision (a policy change bites at once): compiled once (prepared.ts).
  readonly #get;

  constructor(private readonly db: Kysely<VeilDatabase>) {
    this.#get = prepared(db, (org: string) => db.selectFrom('sharing_policies').selectAll().where('org', '=', org));
  }

  async get(org: string): Promise<StoredSharingPolicy | undefined> {
    const [row] = await this.#get(org);
    if (!row) return undefined;
    return {
      policy: {
        orgAccessAllowed: Number(row.org_access_allowed) === 1,
        defaultExpiryDays: row.default_expiry_days === null ? null : Number(row.default_expiry_days),
        maxExpiryDays: row.max_expiry_days === null ? null : Number(row.max_expiry_days),
        editorsMayShare: Number(row.editors_may_share) === 1,
      },
      updatedBy: row.updated_by,
      updatedAt: Number(row.updated_at),
    };
  }

  async put(org: string, { policy, updatedBy, updatedAt }: StoredSharingPolicy): Promise<void> {
    const row: SharingPoliciesTable = {
      org,
      org_access_allowed: policy.orgAccessAllowed ? 1 : 0,
      default_expiry_days: policy.defaultExpiryDays,
      max_expiry_days: policy.maxExpiryDays,
      editors_may_share: policy.editorsMayShare ? 1 : 0,
      updated_by: updatedBy,
      updated_at: updatedAt,
    };
    const { org: _org, ...changes } = row;
    await this.db
      .insertInto('sharing_policies')
      .values(row)
      .onConflict((conflict) => conflict.column('org').doUpdateSet(changes))
      .execute();
  }
}
