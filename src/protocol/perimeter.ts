/**
 * The perimeter rule on identity claims, shared by the browser (early, cosmetic check: a
 * non-member downloads nothing) and the token service (the real gate, on verified tokens).
 * Pure: no DOM, no node, no jose.
 */

/** Why a viewer is outside the perimeter (the first failing rule, checked in this order). */
export type PerimeterViolation = 'issuer' | 'org' | 'groups' | 'email-domain';

export interface PerimeterPolicy {
  /** The accepted issuer (exact string match, as OpenID Connect requires). */
  issuer?: string;
  /**
   * More accepted issuers (a server that trusts several identity providers, e.g. the org's OIDC IdP
   * and Entra): the viewer's issuer must be `issuer` or one of these. At least one of the two is needed.
   */
  issuers?: readonly string[];
  /** Required `org` claim (exact match); undefined = no org rule. */
  org?: string;
  /** Any-of: the viewer must be in at least one of these groups; undefined or empty = no group rule. */
  groups?: readonly string[];
  /** The viewer's `email` must be at one of these domains (exact, case-insensitive); undefined or empty = no rule. */
  emailDomains?: readonly string[];
}

/**
 * Claims as they come: a verified identity (`issuer`) or raw token claims (`iss`). Values are
 * `unknown` because claims are data from a token: a wrong type simply fails the rule.
 */
export interface PerimeterClaims {
  issuer?: unknown;
  iss?: unknown;
  org?: unknown;
  groups?: unknown;
  email?: unknown;
}

function emailDomain(email: unknown): string | undefined {
  if (typeof email !== 'string') return undefined;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return undefined;
  return email.slice(at + 1).toLowerCase();
}

/** Every issuer the policy accepts (`issuer` and `issuers`, non-empty strings only). */
export function acceptedIssuers(policy: PerimeterPolicy): string[] {
  const all = [policy.issuer, ...(Array.isArray(policy.issuers) ? policy.issuers : [])];
  return all.filter((issuer): issuer is string => typeof issuer === 'string' && issuer !== '');
}

/** The first rule of `policy` that `claims` break, or undefined when the viewer is inside. */
export function perimeterViolation(claims: PerimeterClaims, policy: PerimeterPolicy): PerimeterViolation | undefined {
  const issuer = claims.issuer ?? claims.iss;
  if (typeof issuer !== 'string' || !acceptedIssuers(policy).includes(issuer)) return 'issuer';

  if (policy.org !== undefined && (typeof claims.org !== 'string' || claims.org !== policy.org)) return 'org';

  if (policy.groups && policy.groups.length > 0) {
    const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
    if (!policy.groups.some((group) => groups.includes(group))) return 'groups';
  }

  if (policy.emailDomains && policy.emailDomains.length > 0) {
    const domain = emailDomain(claims.email);
    const allowed = policy.emailDomains.map((d) => d.toLowerCase().replace(/^@/, ''));
    if (!domain || !allowed.includes(domain)) return 'email-domain';
  }

  return undefined;
}
