/**
 * The sharing wire contract: principals, roles, the access document and its batch of changes,
 * directory search. Shared by `<veil-share-dialog>` and the reference server (which validates
 * every body with these schemas). There is deliberately no public principal: no `anyone`, no
 * link token, no password — nothing here can describe access for someone outside the org.
 */
import * as v from 'valibot';

/** `lti-context` is reserved for course grants (the LTI issue); no API accepts it yet. */
export type PrincipalKind = 'user' | 'group' | 'lti-context';
export type Principal = `${PrincipalKind}:${string}`;
/** Kinds a grant can name today. */
export type GrantablePrincipalKind = 'user' | 'group';

/** Roles a grant gives, in increasing order; `owner` is the video's one owner, never granted. */
export const ROLES = ['viewer', 'editor', 'owner'] as const;
export type AccessRole = (typeof ROLES)[number];
export type GrantRole = Exclude<AccessRole, 'owner'>;

export function roleRank(role: AccessRole): number {
  return ROLES.indexOf(role);
}

/** `restricted`: owner and grants only; `org`: also everyone inside the perimeter, as viewer. */
export type GeneralAccess = 'restricted' | 'org';

/** `user:<sub>` or `group:<id>`: a kind, a colon, then 1–200 printable characters. */
export const PRINCIPAL_PATTERN = /^(user|group):[^\s:][^\s]{0,199}$/;

export function principalKind(principal: string): GrantablePrincipalKind | undefined {
  return PRINCIPAL_PATTERN.test(principal) ? (principal.slice(0, principal.indexOf(':')) as GrantablePrincipalKind) : undefined;
}

/** At most this many changes in one save (a dialog session's worth). */
export const MAX_ACCESS_CHANGES = 50;
/** Directory search: the query's minimum length, and the most results returned. */
export const DIRECTORY_MIN_QUERY = 2;
export const DIRECTORY_MAX_QUERY = 100;
export const DIRECTORY_MAX_RESULTS = 8;

const PrincipalSchema = v.custom<Principal>((value) => typeof value === 'string' && PRINCIPAL_PATTERN.test(value), 'a principal is `user:<sub>` or `group:<id>`');
const GrantRoleSchema = v.picklist(['viewer', 'editor'], 'a role is `viewer` or `editor`');
/** Epoch milliseconds (like a playback session's `expiresAt`), null for no expiry; absent: the policy's default. */
const ExpirySchema = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)));

export const AccessChangeSchema = v.variant('op', [
  v.strictObject({ op: v.literal('grant'), principal: PrincipalSchema, role: GrantRoleSchema, expiresAt: v.optional(ExpirySchema) }),
  v.strictObject({ op: v.literal('revoke'), principal: PrincipalSchema }),
  v.strictObject({ op: v.literal('general-access'), value: v.picklist(['restricted', 'org'], 'general access is `restricted` or `org`') }),
]);

export const AccessChangeBatchSchema = v.strictObject({
  changes: v.pipe(v.array(AccessChangeSchema), v.minLength(1, 'send at least one change'), v.maxLength(MAX_ACCESS_CHANGES, `at most ${MAX_ACCESS_CHANGES} changes`)),
});

export const DirectorySearchRequestSchema = v.strictObject({
  /** The video being shared: search is for people who may share it. */
  videoId: v.string(),
  query: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(DIRECTORY_MIN_QUERY, `type at least ${DIRECTORY_MIN_QUERY} characters`),
    v.maxLength(DIRECTORY_MAX_QUERY, `at most ${DIRECTORY_MAX_QUERY} characters`),
  ),
});

export type AccessChange = v.InferOutput<typeof AccessChangeSchema>;
export type AccessChangeBatch = v.InferOutput<typeof AccessChangeBatchSchema>;
export type DirectorySearchRequest = v.InferOutput<typeof DirectorySearchRequestSchema>;

/** A search result or a grant's holder, as the dialog shows it: nothing more is ever returned. */
export interface DirectoryEntry {
  principal: Principal;
  displayName: string;
  kind: GrantablePrincipalKind;
  /** Users only. */
  email?: string;
}

export interface DirectorySearchResult {
  results: DirectoryEntry[];
}

/** A grant as `<veil-share-dialog>`'s JS API lists it (its `grants`). */
export interface GrantSummary {
  principal: Principal;
  role: GrantRole;
  expiresAt: number | null;
}

export interface AccessGrant extends DirectoryEntry {
  role: GrantRole;
  expiresAt: number | null;
}

/** `GET /api/videos/:videoId/access` (with an `ETag`); only callers who may share get one. */
export interface AccessDocument {
  videoId: string;
  title: string;
  owner: DirectoryEntry;
  generalAccess: GeneralAccess;
  grants: AccessGrant[];
  /** What the caller may change. */
  capabilities: { share: boolean; setGeneralAccess: boolean };
  /** The org's sharing policy as it bites here: expiries in whole days from now, null = none. */
  limits: { orgAccessAllowed: boolean; defaultExpiryDays: number | null; maxExpiryDays: number | null };
}
