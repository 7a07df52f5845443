/**
 * The dev IdP's accounts (demo contract: these exact users, password `veil-demo` for each).
 * `sub` is the email address: stable for the lifetime of the demo and readable in audit rows.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface DevUser {
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  readonly org: string;
  readonly groups: readonly string[];
}

export const DEV_PASSWORD = 'veil-demo';

export const DEV_USERS: readonly DevUser[] = Object.freeze([
  { sub: 'alice@acme.test', email: 'alice@acme.test', name: 'Alice Example', org: 'acme', groups: ['veil-admins', 'acme-staff'] },
  { sub: 'bob@acme.test', email: 'bob@acme.test', name: 'Bob Example', org: 'acme', groups: ['acme-staff'] },
  { sub: 'carol@acme.test', email: 'carol@acme.test', name: 'Carol Example', org: 'acme', groups: [] },
  { sub: 'mallory@globex.test', email: 'mallory@globex.test', name: 'Mallory Example', org: 'globex', groups: [] },
].map((user) => Object.freeze({ ...user, groups: Object.freeze([...user.groups]) })));

/** Groups videos can be shared with (demo contract: `acme-staff` = alice and bob); members come from `groups` above. */
export const DEV_GROUPS: readonly DevGroup[] = Object.freeze([{ id: 'acme-staff', name: 'Acme staff', org: 'acme' }]);

export interface DevGroup {
  readonly id: string;
  readonly name: string;
  readonly org: string;
}

export function findDevUser(sub: string): DevUser | undefined {
  return DEV_USERS.find((user) => user.sub === sub);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Whether `password` is the dev password, compared in constant time (call it for unknown users too). */
export function isDevPassword(password: string): boolean {
  return timingSafeEqual(digest(password), digest(DEV_PASSWORD));
}

/** The account for `login` (email, case-insensitive) if `password` is right; undefined otherwise. */
export function authenticate(login: string, password: string): DevUser | undefined {
  const email = login.trim().toLowerCase();
  const user = DEV_USERS.find((candidate) => candidate.email === email);
  const passwordOk = isDevPassword(password);
  return user && passwordOk ? user : undefined;
}

/** Who can sign in at a dev IdP and which claims they carry; `createDevIdp` defaults to the dev users. */
export interface DevAccounts {
  /** The account's `sub` for `login` and `password`, or undefined (compare in constant time). */
  authenticate(login: string, password: string): { sub: string } | undefined;
  /** ID-token / userinfo claims of `sub` (besides `sub`), or undefined for no such account. */
  claims(sub: string): Record<string, unknown> | undefined;
  /** Claims the access token for the Veil API carries. */
  tokenClaims(sub: string): Record<string, unknown> | undefined;
  /** Scopes and the ID-token claims each releases (oidc-provider `claims`). */
  scopeClaims: Record<string, string[]>;
}

/** The demo contract's users: `org` and `groups` in ID and access tokens. */
export const DEV_ACCOUNTS: DevAccounts = {
  authenticate,
  claims(sub) {
    const user = findDevUser(sub);
    return user && { email: user.email, email_verified: true, name: user.name, org: user.org, groups: [...user.groups] };
  },
  tokenClaims(sub) {
    const user = findDevUser(sub);
    return user && { org: user.org, groups: [...user.groups], email: user.email, name: user.name };
  },
  scopeClaims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], org: ['org', 'groups'] },
};
