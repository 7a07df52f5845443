/**
 * SCIM 2.0 provisioning at `/scim/v2/` (RFC 7644), what Entra's enterprise-app provisioning calls:
 * `Users` and `Groups` (create, get, list with `filter`/`startIndex`/`count`, replace, PATCH,
 * delete) and the discovery documents. The org's SCIM secret (bearer) says which org's directory
 * a request writes; every error leaves in SCIM's error format (`application/scim+json`), and
 * every write is whole or nothing. Users' provisioning and deprovisioning are audited.
 */
import { VeilError } from '../../protocol/errors.js';
import { API_ROUTES } from '../../protocol/paths.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import type { Guard } from '../limits/guard.js';
import type { RouteDefinition, RouteContext } from '../context.js';
import { bearerToken, contentType, readJsonBody } from '../http/body.js';
import { discoveryDocument, LIST_SCHEMA, SCIM_CONTENT_TYPE, SCIM_MAX_RESULTS, ScimProblem, toProblem, type Kind } from '../scim/protocol.js';
import type { ScimCredential, ScimSecrets } from '../scim/secrets.js';
import type { ListQuery, ScimStore, StoredResource, Transition } from '../scim/store.js';

/** Entra sends one resource per request; a group of thousands of members still fits. */
const MAX_BODY_BYTES = 1024 * 1024;
const BODY_TYPES = new Set([SCIM_CONTENT_TYPE, 'application/json']);

export interface ScimRouteDeps {
  /** The service's public URL: resources' `meta.location` point there. */
  publicUrl: string;
  store: ScimStore;
  secrets: Pick<ScimSecrets, 'authenticate'>;
  audit: ServerAuditLog;
  /** A refused secret counts toward blocking the client, as a refused token does elsewhere. */
  guard?: Pick<Guard, 'refused'>;
}

type Handle = (credential: ScimCredential, context: RouteContext) => Promise<Response>;

function scimResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { ...(body === undefined ? {} : { 'content-type': `${SCIM_CONTENT_TYPE}; charset=utf-8` }), 'cache-control': 'no-store', ...headers },
  });
}

function problemResponse(problem: ScimProblem): Response {
  return scimResponse(problem.toJSON(), problem.status, problem.status === 401 ? { 'www-authenticate': 'Bearer realm="scim"' } : {});
}

/** A non-negative integer query parameter, or the fallback (RFC 7644 §3.4.2.4 is lenient here). */
function integerParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || !/^-?\d{1,9}$/.test(raw)) return fallback;
  return Number(raw);
}

function listQuery(url: URL): ListQuery {
  const filter = url.searchParams.get('filter') ?? undefined;
  const excluded = (url.searchParams.get('excludedAttributes') ?? '').split(',').map((name) => name.trim().toLowerCase());
  return {
    ...(filter ? { filter } : {}),
    startIndex: Math.max(1, integerParam(url, 'startIndex', 1)),
    count: Math.min(SCIM_MAX_RESULTS, Math.max(0, integerParam(url, 'count', SCIM_MAX_RESULTS))),
    withoutMembers: excluded.includes('members'),
  };
}

async function readBody(request: Request): Promise<unknown> {
  const type = contentType(request);
  if (!type || !BODY_TYPES.has(type)) throw new ScimProblem(400, 'invalidSyntax', `Send the body as ${SCIM_CONTENT_TYPE}.`);
  return readJsonBody(request, MAX_BODY_BYTES, 'SCIM request body');
}

export function scimRoutes(deps: ScimRouteDeps): RouteDefinition[] {
  const base = `${deps.publicUrl.replace(/\/$/, '')}/scim/v2`;

  function present(stored: StoredResource): Record<string, unknown> {
    const { schemas, ...rest } = stored.resource;
    return {
      schemas,
      id: stored.id,
      ...rest,
      meta: { resourceType: stored.kind, created: new Date(stored.created).toISOString(), lastModified: new Date(stored.updated).toISOString(), location: `${base}/${stored.kind}s/${stored.id}` },
    };
  }

  function list({ total, resources }: { total: number; resources: StoredResource[] }, query: ListQuery): Response {
    return scimResponse({ schemas: [LIST_SCHEMA], totalResults: total, startIndex: query.startIndex, itemsPerPage: resources.length, Resources: resources.map(present) });
  }

  async function record(credential: ScimCredential, transitions: readonly Transition[]): Promise<void> {
    await deps.audit(
      transitions.map((transition) => ({
        type: transition.type,
        actor: `scim:${credential.id}`,
        org: credential.org,
        video: null,
        data: { sub: transition.sub, userName: transition.userName, reason: transition.reason },
      })),
    );
  }

  /** Authenticates, runs, and answers every failure the SCIM way (unexpected ones go on to the router). */
  function route(path: string, method: RouteDefinition['method'], handle: Handle): RouteDefinition {
    return {
      path,
      method,
      limit: 'admin',
      async handle(context) {
        try {
          const credential = await deps.secrets.authenticate(bearerToken(context.request));
          if (!credential) {
            // The error goes out in SCIM's format, so the router never sees it: report it here.
            const refused = new VeilError('SCIM_UNAUTHORIZED');
            await deps.guard?.refused(context.request, refused);
            throw new ScimProblem(401, undefined, refused.hint);
          }
          return await handle(credential, context);
        } catch (error) {
          if (error instanceof VeilError && error.status < 500) return problemResponse(new ScimProblem(error.status, error.status === 400 ? 'invalidSyntax' : undefined, error.message));
          const problem = toProblem(error);
          if (problem) return problemResponse(problem);
          throw error;
        }
      },
    };
  }

  function resource(kind: Kind, store: {
    create(org: string, body: unknown): Promise<{ stored: StoredResource; transitions: Transition[] }>;
    get(org: string, id: string, query: ListQuery): Promise<StoredResource | undefined>;
    list(org: string, query: ListQuery): Promise<{ total: number; resources: StoredResource[] }>;
    replace(org: string, id: string, body: unknown): Promise<{ stored: StoredResource; transitions: Transition[] }>;
    patch(org: string, id: string, body: unknown): Promise<{ stored: StoredResource; transitions: Transition[] }>;
    remove(org: string, id: string): Promise<Transition[]>;
  }, collection: string, item: string): RouteDefinition[] {
    const write = async (credential: ScimCredential, result: { stored: StoredResource; transitions: Transition[] }, status = 200) => {
      await record(credential, result.transitions);
      const body = present(result.stored);
      return scimResponse(body, status, status === 201 ? { location: String((body.meta as { location: string }).location) } : {});
    };
    return [
      route(collection, 'GET', async ({ org }, { url }) => {
        const query = listQuery(url);
        return list(await store.list(org, query), query);
      }),
      route(collection, 'POST', async (credential, { request }) => write(credential, await store.create(credential.org, await readBody(request)), 201)),
      route(item, 'GET', async ({ org }, { params, url }) => {
        const found = await store.get(org, params.id!, listQuery(url));
        if (!found) throw new ScimProblem(404, undefined, `No ${kind} ${params.id} in this directory.`);
        return scimResponse(present(found));
      }),
      route(item, 'PUT', async (credential, { request, params }) => write(credential, await store.replace(credential.org, params.id!, await readBody(request)))),
      route(item, 'PATCH', async (credential, { request, params }) => write(credential, await store.patch(credential.org, params.id!, await readBody(request)))),
      route(item, 'DELETE', async (credential, { params }) => {
        await record(credential, await store.remove(credential.org, params.id!));
        return scimResponse(undefined, 204);
      }),
    ];
  }

  const { store } = deps;
  const groupResult = async (stored: Promise<StoredResource>) => ({ stored: await stored, transitions: [] });
  const discovery = (which: Parameters<typeof discoveryDocument>[0]) => async (_credential: ScimCredential, { params }: RouteContext) => scimResponse(await discoveryDocument(which, base, params.id));
  return [
    ...resource(
      'User',
      {
        create: (org, body) => store.createUser(org, body),
        get: (org, id) => store.getUser(org, id),
        list: (org, query) => store.listUsers(org, query),
        replace: (org, id, body) => store.replaceUser(org, id, body),
        patch: (org, id, body) => store.patchUser(org, id, body),
        remove: (org, id) => store.deleteUser(org, id),
      },
      API_ROUTES.scimUsers,
      API_ROUTES.scimUser,
    ),
    ...resource(
      'Group',
      {
        create: (org, body) => groupResult(store.createGroup(org, body)),
        get: (org, id, query) => store.getGroup(org, id, query),
        list: (org, query) => store.listGroups(org, query),
        replace: (org, id, body) => groupResult(store.replaceGroup(org, id, body)),
        patch: (org, id, body) => groupResult(store.patchGroup(org, id, body)),
        remove: async (org, id) => (await store.deleteGroup(org, id), []),
      },
      API_ROUTES.scimGroups,
      API_ROUTES.scimGroup,
    ),
    route(API_ROUTES.scimServiceProviderConfig, 'GET', discovery('ServiceProviderConfig')),
    route(API_ROUTES.scimResourceTypes, 'GET', discovery('ResourceTypes')),
    route(API_ROUTES.scimResourceType, 'GET', discovery('ResourceTypes')),
    route(API_ROUTES.scimSchemas, 'GET', discovery('Schemas')),
    route(API_ROUTES.scimSchema, 'GET', discovery('Schemas')),
  ];
}
