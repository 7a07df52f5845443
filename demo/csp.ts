import { pageCsp } from '../src/server/http/security.js';

/**
 * The Content-Security-Policy of every demo page: nothing inline, nothing evaluated, nothing
 * off-origin, workers only from files, Trusted Types for every script sink. `blob:` is allowed for
 * media only (MSE object URLs).
 */
export const DEMO_CSP = pageCsp();

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DEMO_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
