/**
 * SCIM 2.0 (RFC 7643/7644) as scimmy implements it: the User (with the enterprise extension Entra
 * sends) and Group schemas that validate and coerce bodies, PatchOp that applies PATCH, the filter
 * parser, and the discovery documents. scimmy's resource layer (process-wide handlers, in-memory
 * filtering) is not used: storage, filtering and paging are SQL in `store.ts`.
 *
 * Entra's provisioning service has documented deviations that are normalised here before scimmy
 * sees them: `"active": "False"` as a string, capitalised `op`s, `add` to
 * `emails[type eq "work"].value` on a user with no work email, and the manager as a bare id on the
 * unqualified path `manager` (the enterprise extension's `manager` is complex: `{ value }`).
 */
import SCIMMY from 'scimmy';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Most resources one list response returns (ServiceProviderConfig `filter.maxResults`). */
export const SCIM_MAX_RESULTS = 200;

// scimmy's schemas and discovery configuration are process-wide; these calls are idempotent.
SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as never);
SCIMMY.Resources.declare(SCIMMY.Resources.User);
SCIMMY.Resources.declare(SCIMMY.Resources.Group);
SCIMMY.Config.set({
  patch: true,
  filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
  bulk: false,
  changePassword: false,
  sort: false,
  etag: false,
  authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: "The org's SCIM secret as a bearer token (Entra: \"Secret Token\").", primary: true }],
});

/** A SCIM protocol error (RFC 7644 §3.12): the status, the `scimType` keyword, the detail. */
export class ScimProblem extends Error {
  constructor(
    readonly status: number,
    readonly scimType: string | undefined,
    detail: string,
  ) {
    super(detail);
  }

  toJSON() {
    return { schemas: [ERROR_SCHEMA], status: String(this.status), ...(this.scimType ? { scimType: this.scimType } : {}), detail: this.message };
  }
}

/** scimmy's errors (SCIMError with a status; TypeError for a value of the wrong kind) as ScimProblems. */
export function toProblem(error: unknown): ScimProblem | undefined {
  if (error instanceof ScimProblem) return error;
  if (error instanceof SCIMMY.Types.Error) return new ScimProblem(error.status, error.scimType, error.message);
  if (error instanceof TypeError) return new ScimProblem(400, 'invalidValue', error.message);
  return undefined;
}

export type Kind = 'User' | 'Group';
type Json = Record<string, unknown>;

function schemaOf(kind: Kind) {
  return kind === 'User' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
}

/** A plain copy of a scimmy schema instance, without what the server assigns (`id`, `meta`). */
function plain(instance: unknown): Json {
  const { id: _id, meta: _meta, ...rest } = JSON.parse(JSON.stringify(instance)) as Json;
  return rest;
}

/** Validates and coerces a POST/PUT body; fails with 400 (`invalidValue`/`invalidSyntax`). */
export function parseResource(kind: Kind, body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ScimProblem(400, 'invalidSyntax', `Send one ${kind} resource as a JSON object.`);
  try {
    return plain(new (schemaOf(kind))(body as Json, 'in'));
  } catch (error) {
    throw toProblem(error) ?? error;
  }
}

const WORK_VALUE_PATH = /^(\w+)\[type eq "([^"]+)"\]\.(\w+)$/i;
const MANAGER_PATH = new RegExp(`^(${ENTERPRISE_USER_SCHEMA.replace(/\./g, '\\.')}:)?manager$`, 'i');

/** Entra's manager value: the manager's id as a string (or `[{ value, $ref: null }]`) → `{ value }`. */
function entraManager(value: unknown): unknown {
  const first = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof first === 'string') return { value: first };
  if (typeof first === 'object' && first !== null && typeof (first as Json).value === 'string') return { value: (first as Json).value };
  return value;
}

function entraBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  return value;
}

/** Entra's deviations (see the module comment), rewritten to what RFC 7644 §3.5.2 specifies. */
function normaliseOperation(operation: unknown, current: Json): unknown {
  if (typeof operation !== 'object' || operation === null) return operation;
  const op = { ...(operation as Json) };
  if (typeof op.op === 'string') op.op = op.op.toLowerCase();
  const path = typeof op.path === 'string' ? op.path : undefined;
  if (path?.toLowerCase() === 'active') op.value = entraBoolean(op.value);
  if (path === undefined && typeof op.value === 'object' && op.value !== null && 'active' in op.value) op.value = { ...(op.value as Json), active: entraBoolean((op.value as Json).active) };
  if (path && MANAGER_PATH.test(path)) {
    op.path = `${ENTERPRISE_USER_SCHEMA}:manager`;
    if (op.op === 'add' || op.op === 'replace') op.value = entraManager(op.value);
  }
  const work = path && (op.op === 'add' || op.op === 'replace') ? WORK_VALUE_PATH.exec(path) : null;
  if (work) {
    const [, attribute, type, subAttribute] = work as unknown as [string, string, string, string];
    const list = current[attribute];
    const matches = Array.isArray(list) && list.some((item) => typeof item === 'object' && item !== null && (item as Json).type === type);
    if (!matches) return { op: 'add', path: attribute, value: [{ type, [subAttribute]: op.value }] };
  }
  return op;
}

/** Applies a PatchOp message to a stored resource; the result is validated like a PUT body. */
export async function applyPatch(kind: Kind, current: Json, id: string, body: unknown): Promise<Json> {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Json).Operations)) throw new ScimProblem(400, 'invalidSyntax', 'Send a PatchOp message with an `Operations` array.');
  const message = { schemas: [PATCH_SCHEMA], Operations: ((body as Json).Operations as unknown[]).map((operation) => normaliseOperation(operation, current)) };
  try {
    const Schema = schemaOf(kind);
    const patched: unknown = await new SCIMMY.Messages.PatchOp(message as never).apply(new Schema({ ...current, id }, 'out') as never, async (instance) => instance);
    // scimmy answers `undefined` when the operations changed nothing.
    return patched === undefined ? current : plain(patched);
  } catch (error) {
    throw toProblem(error) ?? error;
  }
}

/** One `attribute eq "value"` term of a filter, with the attribute as the caller spelt it in `columns`. */
export interface EqualityTerm {
  attribute: string;
  value: string;
}

/**
 * Parses `filter` and accepts what the store can answer from its indexed columns: one or more
 * `eq` terms on `attributes` joined by `and` (what Entra's provisioning sends). Anything else is
 * `400 invalidFilter`, as RFC 7644 §3.4.2.2 requires for unsupported filters.
 */
export function equalityFilter(filter: string, attributes: readonly string[]): EqualityTerm[] {
  let parsed: Array<Record<string, unknown>>;
  try {
    parsed = [...new SCIMMY.Types.Filter(filter)] as Array<Record<string, unknown>>;
  } catch (error) {
    throw new ScimProblem(400, 'invalidFilter', toProblem(error)?.message ?? 'The filter is not valid.');
  }
  const supported = `Supported filters: ${attributes.map((a) => `${a} eq "…"`).join(', ')} (joined by "and").`;
  if (parsed.length !== 1) throw new ScimProblem(400, 'invalidFilter', supported);
  return Object.entries(parsed[0]!).map(([name, comparison]) => {
    const attribute = attributes.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (!attribute || !Array.isArray(comparison) || comparison[0] !== 'eq' || typeof comparison[1] !== 'string') throw new ScimProblem(400, 'invalidFilter', supported);
    return { attribute, value: comparison[1] };
  });
}

/** `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`, with locations under `base`. */
export async function discoveryDocument(which: 'ServiceProviderConfig' | 'ResourceTypes' | 'Schemas', base: string, id?: string): Promise<Json> {
  const Resource = { ServiceProviderConfig: SCIMMY.Resources.ServiceProviderConfig, ResourceTypes: SCIMMY.Resources.ResourceType, Schemas: SCIMMY.Resources.Schema }[which];
  Resource.basepath(base);
  try {
    return JSON.parse(JSON.stringify(await (id === undefined ? new Resource() : new Resource(id)).read())) as Json;
  } catch (error) {
    throw toProblem(error) ?? error;
  }
}
