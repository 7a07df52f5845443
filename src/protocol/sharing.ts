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
  // A pending access request, answered: `approve` grants the requester (like `grant`), `deny` drops the request.
  v.strictObject({ op: v.literal('approve'), principal: PrincipalSchema, role: GrantRoleSchema, expiresAt: v.optional(ExpirySchema) }),
  v.strictObject({ op: v.literal('deny'), principal: PrincipalSchema }),
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

/** A member's pending request for access (`POST /api/videos/:videoId/access-requests`), as the owner sees it. */
export interface AccessRequestEntry extends DirectoryEntry {
  /** Epoch ms on the server's clock. */
  requestedAt: number;
}

/**
 * The answer to an access request: `pending` (asked now, or already waiting — a member asks once)
 * or `granted` (the asker can already watch). Nothing about the video itself.
 */
export interface AccessRequestResult {
  status: 'pending' | 'granted';
}

/** `GET /api/videos/:videoId/access` (with an `ETag`); only callers who may share get one. */
export interface AccessDocument {
  videoId: string;
  title: string;
  owner: DirectoryEntry;
  generalAccess: GeneralAccess;
  grants: AccessGrant[];
  /** Pending access requests, oldest first (answered with `approve` / `deny` changes). */
  requests: AccessRequestEntry[];
  /** What the caller may change. */
  capabilities: { share: boolean; setGeneralAccess: boolean };
  /** The org's sharing policy as it bites here: expiries in whole days from now, null = none. */
  limits: { orgAccessAllowed: boolean; defaultExpiryDays: number | null; maxExpiryDays: number | null };
}

/** Longest default or maximum grant expiry a policy may set (ten years). */
export const MAX_POLICY_EXPIRY_DAYS = 3650;

const PolicyDaysSchema = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_POLICY_EXPIRY_DAYS)));

/** An org's sharing policy (`PUT /api/sharing-policy`, admins only); the default expiry may not exceed the maximum. */
export const SharingPolicySchema = v.pipe(
  v.strictObject({
    orgAccessAllowed: v.boolean(),
    defaultExpiryDays: PolicyDaysSchema,
    maxExpiryDays: PolicyDaysSchema,
    editorsMayShare: v.boolean(),
  }),
  v.check(
    (policy) => policy.maxExpiryDays === null || (policy.defaultExpiryDays !== null && policy.defaultExpiryDays <= policy.maxExpiryDays),
    'with a maximum expiry, the default expiry must be set and at most the maximum',
  ),
);

export type SharingPolicyBody = v.InferOutput<typeof SharingPolicySchema>;

/** `GET`/`PUT /api/sharing-policy`: the caller's org's policy; a `PUT` also says what it revoked. */
export interface SharingPolicyDocument {
  org: string;
  policy: SharingPolicyBody;
  /** Who last changed it and when (null: the service's default, never changed). */
  updatedBy: string | null;
  updatedAt: number | null;
  /** `PUT` only: grants and general accesses the tightened policy revoked. */
  revoked?: { grants: number; generalAccess: number };
}
