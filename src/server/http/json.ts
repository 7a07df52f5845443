/**
 * JSON and error responses: every server error leaves as `{ error: { code, message, hint } }` with
 * the code's status, and nothing but a `VeilError` reaches the client's eyes.
 */
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';
// The server's errors carry their integrator hints (`toJSON`, logs): this module registers them.
import '../../protocol/error-hints.js';

const NO_STORE = 'no-store';

/**
 * The text of each JSON response built here, by response: the Node adapter writes it to the
 * socket in one piece instead of reading the response's body stream back (issue 16: reading
 * it, chunk by chunk, cost the token service more than its JSON). Weak: a response nobody
 * sends is collected with its entry.
 */
const bufferedBodies = new WeakMap<Response, string>();

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  if (!headers.has('cache-control')) headers.set('cache-control', NO_STORE);
  const text = JSON.stringify(body);
  const response = new Response(text, { ...init, headers });
  bufferedBodies.set(response, text);
  return response;
}

/**
 * The whole body of `response` when `jsonResponse` built it and nobody has read it since, else
 * undefined (a copy made by middleware is not in the map, so it takes the streaming path).
 */
export function bufferedBody(response: Response): string | undefined {
  return response.bodyUsed ? undefined : bufferedBodies.get(response);
}

/** A limit's refusal carries `data.retryAfterSeconds`: it becomes the `Retry-After` header. */
export function errorResponse(error: VeilError, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  const retryAfter = error.data.retryAfterSeconds;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) headers.set('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  const body = error.toJSON();
  if (typeof retryAfter === 'number') Object.assign(body.error, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfter)) });
  return jsonResponse(body, { ...init, headers, status: init.status ?? error.status });
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
