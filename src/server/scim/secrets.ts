/**
 * Each org's provisioning secrets: random bearer tokens shown once and stored as SHA-256 hashes
 * (they are 256-bit random, so a plain hash suffices; a leaked table yields no usable secret).
 * Rotation issues a new secret and lets the previous ones work for a grace period, long enough to
 * paste the new one into Entra's provisioning settings.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { scimTables, type AnyDatabase, type ScimDatabase } from './schema.js';

const PREFIX = 'veil_scim_';
/** How long a rotated-out secret keeps working by default: one hour. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 60 * 60;

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface ScimCredential {
  id: string;
  org: string;
}

export class ScimSecrets {
  readonly #db: Kysely<ScimDatabase>;

  constructor(
    db: AnyDatabase,
    private readonly clock: () => number = Date.now,
  ) {
    this.#db = scimTables(db);
  }

  /**
   * A new secret for `org` (returned once, never stored in clear). Secrets issued before it keep
   * working for `graceSeconds` (default one hour; 0 ends them now).
   */
  async rotate(org: string, graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS): Promise<string> {
    if (!org) throw new TypeError('scim: a secret needs an org');
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock();
    const retireAt = now + Math.max(0, graceSeconds) * 1000;
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('scim_secrets')
        .set({ expires_at: retireAt })
        .where('org', '=', org)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', retireAt)]))
        .execute();
      await trx.insertInto('scim_secrets').values({ id: randomUUID(), org, secret_hash: hash(secret), created_at: now, expires_at: null }).execute();
    });
    return secret;
  }

  /** The credential a bearer secret belongs to, or undefined (unknown, malformed or expired). */
  async authenticate(secret: string | undefined): Promise<ScimCredential | undefined> {
    if (!secret?.startsWith(PREFIX) || secret.length > 200) return undefined;
    const row = await this.#db.selectFrom('scim_secrets').select(['id', 'org', 'expires_at']).where('secret_hash', '=', hash(secret)).executeTakeFirst();
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= this.clock())) return undefined;
    return { id: row.id, org: row.org };
  }
}
