/**
 * The demo fills its directory the way Entra's provisioning service would: SCIM requests to the
 * service's own `/scim/v2/` endpoint with each org's secret — look a resource up by filter, create
 * it if missing, else bring it up to date. Idempotent, so it runs at every start.
 */
import type { Handler } from '../src/server/context.js';
import type { ScimSecrets } from '../src/server/scim/secrets.js';
import type { DevGroup, DevUser } from './idp/users.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Client {
  (method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

function client(service: Handler, origin: string, secret: string): Client {
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${secret}` };
    if (body !== undefined) headers['content-type'] = 'application/scim+json';
    const response = await service(new Request(`${origin}/scim/v2${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
    const text = await response.text();
    if (!response.ok) throw new Error(`demo provisioning: ${method} ${path} answered ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
}

async function upsert(scim: Client, collection: 'Users' | 'Groups', filter: string, resource: Record<string, unknown>): Promise<string> {
  const found = (await scim('GET', `/${collection}?filter=${encodeURIComponent(filter)}`)).Resources as Array<{ id: string }>;
  const existing = found[0];
  if (!existing) return String((await scim('POST', `/${collection}`, resource)).id);
  await scim('PUT', `/${collection}/${existing.id}`, resource);
  return existing.id;
}

/** Provisions `users` and `groups` (members from each user's `groups`); returns one line for the log. */
export async function provisionDevDirectory(service: Handler, origin: string, secrets: ScimSecrets, users: readonly DevUser[], groups: readonly DevGroup[]): Promise<string> {
  const orgs = [...new Set([...users.map((user) => user.org), ...groups.map((group) => group.org)])];
  for (const org of orgs) {
    // A fresh secret per start (the previous one ends now): the demo keeps it in memory only.
    const scim = client(service, origin, await secrets.rotate(org, 0));
    const ids = new Map<string, string>();
    for (const user of users.filter((candidate) => candidate.org === org)) {
      const [givenName, ...family] = user.name.split(' ');
      const resource = {
        schemas: [USER_SCHEMA],
        externalId: user.sub,
        userName: user.email,
        active: true,
        displayName: user.name,
        name: { givenName, familyName: family.join(' ') },
        emails: [{ value: user.email, type: 'work', primary: true }],
      };
      ids.set(user.sub, await upsert(scim, 'Users', `userName eq "${user.email}"`, resource));
    }
    for (const group of groups.filter((candidate) => candidate.org === org)) {
      const members = users.filter((user) => user.org === org && user.groups.includes(group.id)).map((user) => ({ value: ids.get(user.sub)! }));
      await upsert(scim, 'Groups', `externalId eq "${group.id}"`, { schemas: [GROUP_SCHEMA], externalId: group.id, displayName: group.name, members });
    }
  }
  return `[scim] provisioned ${users.length} users and ${groups.length} groups through ${origin}/scim/v2/`;
}
