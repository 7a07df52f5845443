/**
 * What both halves of the `oidc` provider read alike: the viewer's claims from an ID-token profile
 * (as oidc-client-ts stores it), and whether this page is the authorization callback.
 */
import type { Viewer } from '../../protocol/viewer.js';

/** True when `url` carries an authorization response (this client's redirect URI). */
export function isCallback(url: URL): boolean {
  const params = url.searchParams;
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** The viewer's claims from the ID token's profile (every claim kept as plain text or a string list). */
export function claimsOf(profile: Record<string, unknown>): Viewer {
  const groups = profile.groups;
  return {
    issuer: String(profile.iss),
    sub: String(profile.sub),
    org: typeof profile.org === 'string' ? profile.org : undefined,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    email: typeof profile.email === 'string' ? profile.email : undefined,
    name: typeof profile.name === 'string' ? profile.name : undefined,
  };
}
