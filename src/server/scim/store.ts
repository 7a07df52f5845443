/**
 * The provisioned users and groups over Kysely. Every SCIM write is one transaction that validates
 * first and writes second (a duplicate `userName`, an unknown member, a malformed PATCH: nothing is
 * written). Resources are per org: the org comes from the provisioning secret, never the request.
 *
 * A user's `sub` (who they are to grants, the share dialog and the token service) is `externalId`
 * when Entra sends it (map `objectId` → `externalId`: the token's `oid`), else `userName`. A group's
 * principal id is its `externalId` (Entra's group object id, what a token's `groups` claim holds),
 * else its SCIM id.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { applyPatch, equalityFilter, parseResource, ScimProblem, type Kind } from './protocol.js';
import { scimTables, type AnyDatabase, type ScimDatabase, type ScimGroupsTable, type ScimUsersTable } from './schema.js';

type Json = Record<string, unknown>;
type Db = Kysely<ScimDatabase> | Transaction<ScimDatabase>;

export interface StoredResource {
  kind: Kind;
  id: string;
  /** The SCIM resource without `id` and `meta` (groups: with `members`). */
  resource: Json;
  created: number;
  updated: number;
}

export interface ListQuery {
  filter?: string;
  /** 1-based (RFC 7644 §3.4.2.4). */
  startIndex: number;
  count: number;
  /** Groups only: leave `members` out (Entra asks `excludedAttributes=members`). */
  withoutMembers?: boolean;
}

/** What a write changed in who may watch: the server audits these. */
export interface Transition {
  type: 'user-provisioned' | 'user-deprovisioned';
  sub: string;
  userName: string;
  reason?: 'deactivated' | 'deleted';
}

export interface WriteResult {
  stored: StoredResource;
  transitions: Transition[];
}

const USER_FILTERS = ['userName', 'externalId', 'id', 'displayName'] as const;
const GROUP_FILTERS = ['displayName', 'externalId', 'id'] as const;

function notFound(kind: Kind, id: string): ScimProblem {
  return new ScimProblem(404, undefined, `No ${kind} ${id} in this directory.`);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The columns a user resource is found and shown by. */
function userColumns(resource: Json) {
  const userName = text(resource.userName);
  if (!userName) throw new ScimProblem(400, 'invalidValue', 'A User needs a userName.');
  const externalId = text(resource.externalId) ?? null;
  const name = (resource.name ?? {}) as Json;
  const displayName = text(resource.displayName) ?? text(name.formatted) ?? ([text(name.givenName), text(name.familyName)].filter(Boolean).join(' ') || userName);
  const emails = Array.isArray(resource.emails) ? (resource.emails as Json[]) : [];
  const email = text((emails.find((entry) => entry.primary === true) ?? emails[0])?.value) ?? null;
  const sub = externalId ?? userName;
  return {
    user_name: userName,
    user_name_key: userName.toLowerCase(),
    external_id: externalId,
    sub,
    active: resource.active === false ? 0 : 1,
    display_name: displayName,
    email,
    search_text: [displayName, email ?? '', sub].join('\n').toLowerCase(),
  };
}

function groupColumns(resource: Json) {
  const displayName = text(resource.displayName);
  if (!displayName) throw new ScimProblem(400, 'invalidValue', 'A Group needs a displayName.');
  return { display_name: displayName, display_name_key: displayName.toLowerCase(), external_id: text(resource.externalId) ?? null };
}

function memberIds(resource: Json): string[] {
  const members = resource.members;
  if (members === undefined) return [];
  if (!Array.isArray(members)) throw new ScimProblem(400, 'invalidValue', 'members must be an array.');
  return [...new Set(members.map((member) => text((member as Json)?.value) ?? ''))].map((id) => {
    if (!id) throw new ScimProblem(400, 'invalidValue', 'Every member needs a value (the id of a User).');
    return id;
  });
}

function withoutMembers({ members: _members, ...rest }: Json): Json {
  return rest;
}

export class ScimStore {
  readonly #db: Kysely<ScimDatabase>;

  constructor(db: AnyDatabase) {
    this.#db = scimTables(db);
  }

  // ---- Users -------------------------------------------------------------------------------

  async createUser(org: string, body: unknown, now = Date.now()): Promise<WriteResult> {
    const resource = parseResource('User', body);
    const columns = userColumns(resource);
    return this.#db.transaction().execute(async (trx) => {
      await this.#assertUniqueUserName(trx, org, columns.user_name_key);
      const id = randomUUID();
      await trx.insertInto('scim_users').values({ id, org, ...columns, resource: JSON.stringify(resource), created_at: now, updated_at: now }).execute();
      // Provisioned again after a delete: the tombstone goes (an inactive row still refuses them).
      await trx.deleteFrom('scim_tombstones').where('org', '=', org).where('sub', '=', columns.sub).execute();
      const transitions: Transition[] = columns.active === 1 ? [{ type: 'user-provisioned', sub: columns.sub, userName: columns.user_name }] : [];
      return { stored: { kind: 'User', id, resource, created: now, updated: now }, transitions };
    });
  }

  async getUser(org: string, id: string): Promise<StoredResource | undefined> {
    const row = await this.#userRow(this.#db, org, id);
    return row && storedUser(row);
  }

  async listUsers(org: string, query: ListQuery): Promise<{ total: number; resources: StoredResource[] }> {
    let select = this.#db.selectFrom('scim_users').where('org', '=', org);
    for (const term of query.filter ? equalityFilter(query.filter, USER_FILTERS) : []) {
      if (term.attribute === 'userName') select = select.where('user_name_key', '=', term.value.toLowerCase());
      else if (term.attribute === 'externalId') select = select.where('external_id', '=', term.value);
      else if (term.attribute === 'displayName') select = select.where('display_name', '=', term.value);
      else select = select.where('id', '=', term.value);
    }
    const { total } = await select.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = query.count === 0 ? [] : await select.selectAll().orderBy('created_at').orderBy('id').offset(query.startIndex - 1).limit(query.count).execute();
    return { total: Number(total), resources: rows.map(storedUser) };
  }

  replaceUser(org: string, id: string, body: unknown, now = Date.now()): Promise<WriteResult> {
    const resource = parseResource('User', body);
    return this.#updateUser(org, id, async () => resource, now);
  }

  patchUser(org: string, id: string, body: unknown, now = Date.now()): Promise<WriteResult> {
    return this.#updateUser(org, id, (current) => applyPatch('User', current, id, body), now);
  }

  async deleteUser(org: string, id: string, now = Date.now()): Promise<Transition[]> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await this.#userRow(trx, org, id);
      if (!row) throw notFound('User', id);
      await trx.deleteFrom('scim_users').where('id', '=', id).execute();
      // Deleted, the user is still refused: their tokens outlive the resource.
      await trx
        .insertInto('scim_tombstones')
        .values({ org, sub: row.sub, deleted_at: now })
        .onConflict((conflict) => conflict.columns(['org', 'sub']).doUpdateSet({ deleted_at: now }))
        .execute();
      return [{ type: 'user-deprovisioned', sub: row.sub, userName: row.user_name, reason: 'deleted' }];
    });
  }

  async #updateUser(org: string, id: string, next: (current: Json) => Promise<Json>, now: number): Promise<WriteResult> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await this.#userRow(trx, org, id);
      if (!row) throw notFound('User', id);
      const resource = await next(JSON.parse(row.resource) as Json);
      const columns = userColumns(resource);
      if (columns.user_name_key !== row.user_name_key) await this.#assertUniqueUserName(trx, org, columns.user_name_key);
      await trx.updateTable('scim_users').set({ ...columns, resource: JSON.stringify(resource), updated_at: now }).where('id', '=', id).execute();
      const transitions: Transition[] = [];
      if (Number(row.active) === 1 && columns.active === 0) transitions.push({ type: 'user-deprovisioned', sub: columns.sub, userName: columns.user_name, reason: 'deactivated' });
      if (Number(row.active) === 0 && columns.active === 1) transitions.push({ type: 'user-provisioned', sub: columns.sub, userName: columns.user_name });
      return { stored: { kind: 'User', id, resource, created: Number(row.created_at), updated: now }, transitions };
    });
  }

  async #assertUniqueUserName(trx: Db, org: string, key: string): Promise<void> {
    const taken = await trx.selectFrom('scim_users').select('id').where('org', '=', org).where('user_name_key', '=', key).executeTakeFirst();
    if (taken) throw new ScimProblem(409, 'uniqueness', 'A User with this userName exists already.');
  }

  #userRow(db: Db, org: string, id: string) {
    return db.selectFrom('scim_users').selectAll().where('org', '=', org).where('id', '=', id).executeTakeFirst();
  }

  // ---- Groups ------------------------------------------------------------------------------

  async createGroup(org: string, body: unknown, now = Date.now()): Promise<StoredResource> {
    const resource = parseResource('Group', body);
    const columns = groupColumns(resource);
    const members = memberIds(resource);
    return this.#db.transaction().execute(async (trx) => {
      await this.#assertUsers(trx, org, members);
      const id = randomUUID();
      await trx.insertInto('scim_groups').values({ id, org, ...columns, resource: JSON.stringify(withoutMembers(resource)), created_at: now, updated_at: now }).execute();
      await this.#setMembers(trx, id, members);
      return (await this.#group(trx, org, id))!;
    });
  }

  async getGroup(org: string, id: string, options: { withoutMembers?: boolean } = {}): Promise<StoredResource | undefined> {
    return this.#group(this.#db, org, id, options.withoutMembers);
  }

  async listGroups(org: string, query: ListQuery): Promise<{ total: number; resources: StoredResource[] }> {
    let select = this.#db.selectFrom('scim_groups').where('org', '=', org);
    for (const term of query.filter ? equalityFilter(query.filter, GROUP_FILTERS) : []) {
      if (term.attribute === 'displayName') select = select.where('display_name_key', '=', term.value.toLowerCase());
      else if (term.attribute === 'externalId') select = select.where('external_id', '=', term.value);
      else select = select.where('id', '=', term.value);
    }
    const { total } = await select.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = query.count === 0 ? [] : await select.select('id').orderBy('created_at').orderBy('id').offset(query.startIndex - 1).limit(query.count).execute();
    const resources = await Promise.all(rows.map(async (row) => (await this.#group(this.#db, org, row.id, query.withoutMembers))!));
    return { total: Number(total), resources };
  }

  replaceGroup(org: string, id: string, body: unknown, now = Date.now()): Promise<StoredResource> {
    const resource = parseResource('Group', body);
    return this.#updateGroup(org, id, async () => resource, now);
  }

  patchGroup(org: string, id: string, body: unknown, now = Date.now()): Promise<StoredResource> {
    return this.#updateGroup(org, id, (current) => applyPatch('Group', current, id, body), now);
  }

  async deleteGroup(org: string, id: string): Promise<void> {
    const result = await this.#db.deleteFrom('scim_groups').where('org', '=', org).where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw notFound('Group', id);
  }

  async #updateGroup(org: string, id: string, next: (current: Json) => Promise<Json>, now: number): Promise<StoredResource> {
    return this.#db.transaction().execute(async (trx) => {
      const current = await this.#group(trx, org, id);
      if (!current) throw notFound('Group', id);
      const resource = await next(current.resource);
      const columns = groupColumns(resource);
      const members = memberIds(resource);
      await this.#assertUsers(trx, org, members);
      await trx.updateTable('scim_groups').set({ ...columns, resource: JSON.stringify(withoutMembers(resource)), updated_at: now }).where('id', '=', id).execute();
      await trx.deleteFrom('scim_members').where('group_id', '=', id).execute();
      await this.#setMembers(trx, id, members);
      return (await this.#group(trx, org, id))!;
    });
  }

  /** Members must be users of the org's directory (Entra provisions no nested groups). */
  async #assertUsers(trx: Db, org: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await trx.selectFrom('scim_users').select('id').where('org', '=', org).where('id', 'in', [...ids]).execute();
    const known = new Set(found.map((row) => row.id));
    const unknown = ids.find((id) => !known.has(id));
    if (unknown !== undefined) throw new ScimProblem(400, 'invalidValue', `Member ${unknown} is not a User of this directory.`);
  }

  async #setMembers(trx: Db, groupId: string, members: readonly string[]): Promise<void> {
    if (members.length) await trx.insertInto('scim_members').values(members.map((userId) => ({ group_id: groupId, user_id: userId }))).execute();
  }

  async #group(db: Db, org: string, id: string, noMembers = false): Promise<StoredResource | undefined> {
    const row = await db.selectFrom('scim_groups').selectAll().where('org', '=', org).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const resource = JSON.parse(row.resource) as Json;
    if (!noMembers) {
      const members = await db
        .selectFrom('scim_members')
        .innerJoin('scim_users', 'scim_users.id', 'scim_members.user_id')
        .select(['scim_users.id as value', 'scim_users.display_name as display'])
        .where('scim_members.group_id', '=', id)
        .orderBy('scim_users.id')
        .execute();
      resource.members = members;
    }
    return storedGroup(row, resource);
  }
}

function storedUser(row: Selectable<ScimUsersTable>): StoredResource {
  return { kind: 'User', id: row.id, resource: JSON.parse(row.resource) as Json, created: Number(row.created_at), updated: Number(row.updated_at) };
}

function storedGroup(row: Selectable<ScimGroupsTable>, resource: Json): StoredResource {
  return { kind: 'Group', id: row.id, resource, created: Number(row.created_at), updated: Number(row.updated_at) };
}
