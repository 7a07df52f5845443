/**
 * Checks on what an administrator registers for a platform, shared by every way in
 * (`npm run lti:register`, the embedding application).
 */

const MAX_AUTHORIZATION_SERVER = 2048;

/**
 * Why `value` cannot be an authorization server identifier, or undefined if it can. The spec
 * makes it a JWT `aud`, a StringOrURI (RFC 7519 §2): an opaque string, or — if it has a colon — a
 * URI, which Veil takes as an http(s) URL only (what platforms publish; no `javascript:` or `urn:`
 * lookalikes). No whitespace or control characters: a value pasted with a stray newline is caught
 * here, not at the first NRPS call.
 */
export function authorizationServerProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_AUTHORIZATION_SERVER) return `must be 1–${MAX_AUTHORIZATION_SERVER} characters`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'must not contain whitespace or control characters';
  if (!value.includes(':')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http(s) URL or an opaque string without ":"';
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'must be an http(s) URL or an opaque string without ":"';
}
