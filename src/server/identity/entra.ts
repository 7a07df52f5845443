/**
 * The `entra` identity verifier: access tokens of Microsoft Entra ID (v2.0 endpoint) for the Veil
 * API, verified with jose — msal-browser validates nothing (msal#1952), so this is the gate.
 *
 * The tenant is the perimeter: each allowed tenant is its own issuer
 * `https://login.microsoftonline.com/{tid}/v2.0` (never the `/common` or `/organizations`
 * metadata issuer, whose `{tenantid}` placeholder would accept every tenant in the world), and the
 * token's `tid` must be that tenant; a token of any other tenant finds no verifier in the registry
 * (`ACCESS_TOKEN_INVALID`, reason `issuer`). The tenant maps to a Veil org; `oid` (the user's
 * object id, the same in every app of the tenant) is the subject. The consumer tenant (personal
 * Microsoft accounts) cannot be put on the allow list. Optional members-only policy: `acct` 1 (a guest) is refused.
 * Above 200 groups Entra puts `_claim_names.groups` instead of `groups` (group overage): the
 * groups then come from the provisioned directory, or the token is refused — never "no groups".
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { VeilError } from '../../protocol/errors.js';
import type { Viewer } from '../../protocol/viewer.js';
import { accessTokenInvalid, verifyJwt, type IdentityVerifier } from './verifier.js';

/** Entra's public cloud; the dev IdP's look-alike (and sovereign clouds) configure another base. */
export const ENTRA_AUTHORITY_BASE = 'https://login.microsoftonline.com';
/** The tenant of personal Microsoft accounts (outlook.com, live.com): never an organisation. */
export const ENTRA_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** Tenant ids that are not tenants but multi-tenant aliases. */
const TENANT_ALIASES = new Set(['common', 'organizations', 'consumers', '{tenantid}']);

export interface EntraTenant {
  /** The directory (tenant) id, a GUID: the `tid` claim. */
  tenantId: string;
  /** The Veil org its members belong to. */
  org: string;
}

export interface EntraVerifierOptions {
  /** The allow list: only these tenants' tokens are accepted. */
  tenants: readonly EntraTenant[];
  /** The Veil API's application (client) id or App ID URI: the `aud` Entra writes in its tokens. */
  audience: string | readonly string[];
  /** Default `https://login.microsoftonline.com`; issuers are `{authorityBase}/{tid}/v2.0`. */
  authorityBase?: string;
  /** The signing keys of a tenant; default Entra's `{authorityBase}/{tid}/discovery/v2.0/keys`. */
  jwks?: (tenantId: string) => JWTVerifyGetKey;
  /** Refuse guests (`acct` = 1) with `ENTRA_GUEST_NOT_ALLOWED`; default false. */
  membersOnly?: boolean;
  /**
   * Where the groups of a user come from when the token has too many to carry them (overage):
   * the provisioned (SCIM) directory. Without it an overage token is refused.
   */
  resolveGroups?: (org: string, sub: string) => Promise<string[]>;
  /** Default `['RS256']` (what Entra signs with). */
  algorithms?: string[];
  /** Allowed clock skew for `exp`/`nbf`, in seconds; default 0. */
  clockToleranceSeconds?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkTenants(tenants: readonly EntraTenant[]): void {
  if (tenants.length === 0) throw new TypeError('entra: at least one allowed tenant is required');
  for (const { tenantId, org } of tenants) {
    if (TENANT_ALIASES.has(tenantId.toLowerCase())) throw new TypeError(`entra: "${tenantId}" is not a tenant; list tenant ids (GUIDs)`);
    if (!GUID.test(tenantId)) throw new TypeError(`entra: tenant id "${tenantId}" is not a GUID`);
    if (tenantId.toLowerCase() === ENTRA_CONSUMER_TENANT) throw new TypeError('entra: the consumer tenant (personal Microsoft accounts) cannot be allowed');
    if (!org) throw new TypeError(`entra: tenant ${tenantId} needs an org`);
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** True when Entra left the groups out because there are too many (`_claim_names.groups`). */
function hasGroupOverage(payload: JWTPayload): boolean {
  const names = payload._claim_names;
  return typeof names === 'object' && names !== null && 'groups' in names;
}

function tokenGroups(payload: JWTPayload): string[] {
  const groups = payload.groups;
  if (groups === undefined) return [];
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) throw accessTokenInvalid('groups');
  return [...groups];
}

/** One verifier per allowed tenant (each tenant is its own issuer), for the identity registry. */
export function createEntraVerifiers(options: EntraVerifierOptions): IdentityVerifier[] {
  checkTenants(options.tenants);
  const algorithms = [...(options.algorithms ?? ['RS256'])];
  if (algorithms.length === 0 || algorithms.some((alg) => alg === 'none' || alg.startsWith('HS'))) {
    throw new TypeError('entra: algorithms must be asymmetric JWS algorithms');
  }
  const audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  if (audience.length === 0 || audience.some((aud) => !aud)) throw new TypeError('entra: the API audience is required');
  const base = (options.authorityBase ?? ENTRA_AUTHORITY_BASE).replace(/\/+$/, '');
  const jwksOf = options.jwks ?? ((tid: string) => createRemoteJWKSet(new URL(`${base}/${tid}/discovery/v2.0/keys`)));

  return options.tenants.map(({ tenantId, org }) => {
    const issuer = `${base}/${tenantId}/v2.0`;
    const jwks = jwksOf(tenantId);
    const verifyOptions = {
      issuer,
      audience,
      algorithms,
      clockTolerance: options.clockToleranceSeconds ?? 0,
      requiredClaims: ['exp', 'iat', 'tid', 'oid'],
    };
    return {
      issuer,
      async verify(token, extra) {
        const payload = await verifyJwt(token, jwks, verifyOptions, extra);
        // The issuer names the tenant; `tid` must agree (a token minted in one tenant, relabelled, fails).
        if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== tenantId.toLowerCase()) throw accessTokenInvalid('tid');
        const oid = optionalString(payload.oid);
        if (!oid) throw accessTokenInvalid('oid');
        if (options.membersOnly && payload.acct !== 0) throw new VeilError('ENTRA_GUEST_NOT_ALLOWED', { data: { tenant: tenantId } });
        let groups = tokenGroups(payload);
        if (hasGroupOverage(payload)) {
          if (!options.resolveGroups) throw new VeilError('ENTRA_GROUPS_OVERAGE', { data: { tenant: tenantId } });
          groups = await options.resolveGroups(org, oid);
        }
        const viewer: Viewer = { issuer, sub: oid, org, groups };
        const email = optionalString(payload.email) ?? optionalString(payload.preferred_username);
        const name = optionalString(payload.name);
        if (email !== undefined) viewer.email = email;
        if (name !== undefined) viewer.name = name;
        return viewer;
      },
    } satisfies IdentityVerifier;
  });
}
