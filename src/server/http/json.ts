/**
 * JSON and error responses: every server error leaves as `{ error: { code, message, hint } }` with
 * the code's status, and nothing but a `VeilError` reaches the client's eyes.
 */
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';

const NO_STORE = 'no-store';

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  if (!headers.has('cache-control')) headers.set('cache-control', NO_STORE);
  return new Response(JSON.stringify(body), { ...init, headers });
}

export function errorResponse(error: VeilError, init: ResponseInit = {}): Response {
  return jsonResponse(error.toJSON(), { ...init, status: init.status ?? error.status });
}

export function fail(code: VeilErrorCode, message?: string, data?: Record<string, unknown>): never {
  throw new VeilError(code, { message, data });
}

/**
 * Turns any throw into a JSON error response. A `VeilError` is the client's fault or an expected
 * refusal: answered, not logged. Anything else is SERVER_ERROR: logged, never leaked.
 */
export function toErrorResponse(error: unknown, log: (e: unknown) => void = console.error): Response {
  if (error instanceof VeilError) return errorResponse(error);
  log(error);
  return errorResponse(new VeilError('SERVER_ERROR'));
}
