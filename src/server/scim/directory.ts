/**
 * The provisioned users and groups as the `Directory` behind the share dialog and group grants,
 * and the account status the token service checks: a deactivated (`active: false`) or deleted user
 * gets no new playback session or renewal. Only active users are found, resolved or grouped.
 */
import { sql, type Kysely } from 'kysely';
import { DIRECTORY_MAX_RESULTS, type DirectoryEntry, type Principal } from '../../protocol/sharing.js';
import type { Directory } from '../access/directory.js';
import { prepared } from '../storage/kysely/prepared.js';
import { scimTables, type AnyDatabase, type ScimDatabase } from './schema.js';

/** `%` and `_` (and the escape itself) matched literally in a LIKE pattern, on SQLite and PostgreSQL alike. */
function containsPattern(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class ScimDirectory implements Directory {
  readonly #db: Kysely<ScimDatabase>;
  // Every playback session and renewal asks for the viewer's groups and account status: compiled once (prepared.ts).
  readonly #groupsOf;
  readonly #accounts;
  readonly #tombstone;

  constructor(db: AnyDatabase) {
    const scim = (this.#db = scimTables(db));
    this.#groupsOf = prepared(scim, (org: string, sub: string) =>
      scim
        .selectFrom('scim_members')
        .innerJoin('scim_users', 'scim_users.id', 'scim_members.user_id')
        .innerJoin('scim_groups', 'scim_groups.id', 'scim_members.group_id')
        .select(['scim_groups.id', 'scim_groups.external_id'])
        .where('scim_users.org', '=', org)
        .where('scim_users.sub', '=', sub)
        .where('scim_users.active', '=', 1),
    );
    this.#accounts = prepared(scim, (org: string, sub: string) => scim.selectFrom('scim_users').select('active').where('org', '=', org).where('sub', '=', sub));
    this.#tombstone = prepared(scim, (org: string, sub: string) => scim.selectFrom('scim_tombstones').select('sub').where('org', '=', org).where('sub', '=', sub));
  }

  async search(org: string, query: string, limit = DIRECTORY_MAX_RESULTS): Promise<DirectoryEntry[]> {
    const needle = query.trim().toLowerCase();
    if (needle === '') return [];
    const pattern = containsPattern(needle);
    const users = await this.#db
      .selectFrom('scim_users')
      .select(['sub', 'display_name', 'email'])
      .where('org', '=', org)
      .where('active', '=', 1)
      .where(sql<boolean>`search_text like ${pattern} escape '\\'`)
      .orderBy('display_name')
      .limit(limit)
      .execute();
    const groups = await this.#db
      .selectFrom('scim_groups')
      .select(['id', 'external_id', 'display_name'])
      .where('org', '=', org)
      .where(sql<boolean>`display_name_key like ${pattern} escape '\\'`)
      .orderBy('display_name')
      .limit(limit)
      .execute();
    return [
      ...users.map((user): DirectoryEntry => ({ principal: `user:${user.sub}`, displayName: user.display_name, kind: 'user', ...(user.email ? { email: user.email } : {}) })),
      ...groups.map((group): DirectoryEntry => ({ principal: `group:${group.external_id ?? group.id}`, displayName: group.display_name, kind: 'group' })),
    ].slice(0, limit);
  }

  async resolve(org: string, principal: Principal): Promise<DirectoryEntry | undefined> {
    const id = principal.slice(principal.indexOf(':') + 1);
    if (principal.startsWith('user:')) {
      const user = await this.#db.selectFrom('scim_users').select(['display_name', 'email']).where('org', '=', org).where('sub', '=', id).where('active', '=', 1).executeTakeFirst();
      return user && { principal, displayName: user.display_name, kind: 'user', ...(user.email ? { email: user.email } : {}) };
    }
    const group = await this.#db
      .selectFrom('scim_groups')
      .select('display_name')
      .where('org', '=', org)
      .where((eb) => eb.or([eb('external_id', '=', id), eb.and([eb('external_id', 'is', null), eb('id', '=', id)])]))
      .executeTakeFirst();
    return group && { principal, displayName: group.display_name, kind: 'group' };
  }

  async groupsOf(org: string, sub: string): Promise<string[]> {
    const rows = await this.#groupsOf(org, sub);
    return [...new Set(rows.map((row) => row.external_id ?? row.id))];
  }

  /** True when provisioning deactivated or deleted `sub` (and did not provision them again). */
  async deprovisioned(org: string, sub: string): Promise<boolean> {
    const users = await this.#accounts(org, sub);
    if (users.length > 0) return users.every((user) => Number(user.active) === 0);
    return (await this.#tombstone(org, sub)).length > 0;
  }
}
