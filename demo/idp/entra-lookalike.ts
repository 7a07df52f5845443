/**
 * The dev IdP as an Entra ID look-alike, for tests and the opt-in demo mode: one oidc-provider per
 * tenant, each at `{origin}/entra/{tid}/v2.0` (the shape of Entra's v2.0 issuers), with tokens
 * carrying Entra's claims — `tid`, `oid` (also the `sub`), `acct` (0 member, 1 guest), `groups`,
 * or for a user in too many groups the overage form (`_claim_names`/`_claim_sources`, no
 * `groups`). Three tenants: acme's (members, a guest, an overage user), globex's, and the
 * consumer tenant of personal Microsoft accounts. Serve it over HTTPS: msal refuses anything else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDevIdp, type DevIdp, type DevIdpClient } from './index.js';
import { isDevPassword, type DevAccounts } from './users.js';

export const ENTRA_DEV_TENANTS = {
  acme: 'ac3e0000-0000-4000-8000-000000000001',
  globex: '610be000-0000-4000-8000-000000000002',
  /** Entra's real consumer tenant id (personal Microsoft accounts). */
  consumers: '9188040d-6c67-4c5b-b112-36a304b66dad',
} as const;

export interface EntraDevUser {
  login: string;
  oid: string;
  name: string;
  tenantId: string;
  /** 0 member, 1 guest (invited from elsewhere). */
  acct: 0 | 1;
  groups: readonly string[];
  /** Entra leaves `groups` out and points at Graph instead (more than 200 groups). */
  overage?: boolean;
}

/** Password `veil-demo` for each, as for the dev users. */
export const ENTRA_DEV_USERS: readonly EntraDevUser[] = [
  { login: 'alice@acme.test', oid: 'a11ce000-0000-4000-8000-00000000a11c', name: 'Alice Example', tenantId: ENTRA_DEV_TENANTS.acme, acct: 0, groups: ['acme-staff'] },
  { login: 'bob@acme.test', oid: 'b0b00000-0000-4000-8000-000000000b0b', name: 'Bob Example', tenantId: ENTRA_DEV_TENANTS.acme, acct: 0, groups: ['acme-staff'] },
  { login: 'gary@partner.test', oid: '6a770000-0000-4000-8000-0000000006a7', name: 'Gary Guest', tenantId: ENTRA_DEV_TENANTS.acme, acct: 1, groups: [] },
  { login: 'olga@acme.test', oid: '01ca0000-0000-4000-8000-0000000001ca', name: 'Olga Overage', tenantId: ENTRA_DEV_TENANTS.acme, acct: 0, groups: [], overage: true },
  { login: 'mallory@globex.test', oid: '3a110000-0000-4000-8000-0000000003a1', name: 'Mallory Example', tenantId: ENTRA_DEV_TENANTS.globex, acct: 0, groups: [] },
  { login: 'pat@outlook.test', oid: '9a700000-0000-4000-8000-0000000009a7', name: 'Pat Personal', tenantId: ENTRA_DEV_TENANTS.consumers, acct: 0, groups: [] },
];

function tenantAccounts(tenantId: string, users: readonly EntraDevUser[]): DevAccounts {
  const mine = users.filter((user) => user.tenantId === tenantId);
  const byOid = (oid: string) => mine.find((user) => user.oid === oid);
  const identity = (user: EntraDevUser) => ({ tid: user.tenantId, oid: user.oid, name: user.name, preferred_username: user.login });
  return {
    authenticate(login, password) {
      const user = mine.find((candidate) => candidate.login === login.trim().toLowerCase());
      const passwordOk = isDevPassword(password);
      return user && passwordOk ? { sub: user.oid } : undefined;
    },
    claims(sub) {
      const user = byOid(sub);
      return user && identity(user);
    },
    tokenClaims(sub) {
      const user = byOid(sub);
      if (!user) return undefined;
      const groups = user.overage
        ? { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: `https://graph.microsoft.com/v1.0/users/${user.oid}/getMemberObjects` } } }
        : { groups: [...user.groups] };
      return { ...identity(user), acct: user.acct, ...groups };
    },
    scopeClaims: { openid: ['sub'], profile: ['name', 'preferred_username', 'tid', 'oid'], email: [], org: ['groups'] },
  };
}

export interface EntraLookalike {
  /** `{origin}/entra`: the authority base (`authorityBase` of the Entra verifier). */
  authorityBase: string;
  tenants: Array<{ tenantId: string; issuer: string; jwks: DevIdp['jwks'] }>;
  /** Handles the request if it is for one of the tenants (true), else leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export async function createEntraLookalike(options: { origin: string; apiResource: string; clients: DevIdpClient[]; accessTokenTtlSeconds?: number; users?: readonly EntraDevUser[] }): Promise<EntraLookalike> {
  const authorityBase = `${options.origin.replace(/\/$/, '')}/entra`;
  const users = options.users ?? ENTRA_DEV_USERS;
  const idps = await Promise.all(
    Object.values(ENTRA_DEV_TENANTS).map(async (tenantId) => ({
      tenantId,
      idp: await createDevIdp({
        issuer: `${authorityBase}/${tenantId}/v2.0`,
        apiResource: options.apiResource,
        clients: options.clients,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        accounts: tenantAccounts(tenantId, users),
      }),
    })),
  );
  return {
    authorityBase,
    tenants: idps.map(({ tenantId, idp }) => ({ tenantId, issuer: idp.issuer, jwks: idp.jwks })),
    handle(req, res) {
      const path = req.url ?? '/';
      const match = idps.find(({ idp }) => path === idp.mountPath || path.startsWith(`${idp.mountPath}/`) || path.startsWith(`${idp.mountPath}?`));
      if (!match) return false;
      match.idp.handle(req, res);
      return true;
    },
  };
}
