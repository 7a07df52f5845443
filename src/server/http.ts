/**
 * Compatibility re-exports for callers of the former single-file module (scripts, test helpers).
 * New code imports `./context.js` (types) and `./http/*.js` (plumbing) directly.
 */
export type { Handler } from './context.js';
export { errorResponse, fail, jsonResponse, toErrorResponse } from './http/json.js';
export { bearerToken, readBodyText, readJsonBody } from './http/body.js';
