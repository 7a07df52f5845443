/**
 * The Content-Security-Policy of every demo page: nothing inline, nothing evaluated, nothing
 * off-origin, workers only from files, Trusted Types for every script sink. `blob:` is allowed for
 * media only (MSE object URLs).
 */
export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  // Only lit's template policy and the page's narrow default policy (demo/public/trusted-types.js).
  'trusted-types lit-html default',
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DEMO_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
