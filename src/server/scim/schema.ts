/**
 * The tables of the provisioned directory (SCIM), as Kysely sees them: portable types only (text,
 * integer, bigint), resources kept as their SCIM JSON beside the columns that are searched.
 */
import type { Kysely } from 'kysely';
export interface ScimUsersTable {
  /** Veil's id for the resource (the SCIM `id`). */
  id: string;
  org: string;
  user_name: string;
  /** `userName` lower-cased: it is unique per org and compared case-insensitively (RFC 7643 §4.1.1). */
  user_name_key: string;
  external_id: string | null;
  /** Who the user is to the rest of Veil: `externalId` (Entra's object id, the token's `oid`), else `userName`. */
  sub: string;
  /** 1 = active, 0 = deactivated (`active: false`): no new playback session or renewal. */
  active: number;
  display_name: string;
  email: string | null;
  /** Lower-cased display name, email and subject, for the share dialog's search. */
  search_text: string;
  /** The SCIM resource as stored (without `id` and `meta`), JSON. */
  resource: string;
  created_at: number;
  updated_at: number;
}

export interface ScimGroupsTable {
  id: string;
  org: string;
  display_name: string;
  display_name_key: string;
  external_id: string | null;
  /** The SCIM resource without `id`, `meta` and `members` (kept in `scim_members`), JSON. */
  resource: string;
  created_at: number;
  updated_at: number;
}

export interface ScimMembersTable {
  group_id: string;
  user_id: string;
}

/** Users deleted by provisioning: their tokens stay refused although the resource is gone. */
export interface ScimTombstonesTable {
  org: string;
  sub: string;
  deleted_at: number;
}

/** Each org's provisioning secrets, as SHA-256 hashes; a rotated-out one keeps working until `expires_at`. */
export interface ScimSecretsTable {
  id: string;
  org: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
}

export interface ScimDatabase {
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_members: ScimMembersTable;
  scim_tombstones: ScimTombstonesTable;
  scim_secrets: ScimSecretsTable;
}

/**
 * The SCIM tables' view of the service's database (any dialect, any other tables): the migration
 * `scim-0001-directory` created them on it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the host database's own table types do not matter here
export type AnyDatabase = Kysely<any>;

export function scimTables(db: AnyDatabase): Kysely<ScimDatabase> {
  return db as Kysely<ScimDatabase>;
}
