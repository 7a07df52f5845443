/**
 * Web-standard plumbing shared by every server handler: handlers take a `Request` and return a
 * `Response`, so they run unchanged on Node, Deno, Bun, workers or behind any framework.
 */
import { VeilError, type VeilErrorCode } from '../protocol/errors.js';

export type Handler = (request: Request) => Promise<Response>;

const NO_STORE = { 'cache-control': 'no-store' } as const;

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  if (!headers.has('cache-control')) headers.set('cache-control', NO_STORE['cache-control']);
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** Every server error leaves as `{ error: { code, message, hint } }` with the code's status. */
export function errorResponse(error: VeilError, init: ResponseInit = {}): Response {
  return jsonResponse(error.toJSON(), { ...init, status: init.status ?? error.status });
}

export function fail(code: VeilErrorCode, message?: string, data?: Record<string, unknown>): never {
  throw new VeilError(code, { message, data });
}

/** Turns any throw into a JSON error response; unknown errors become SERVER_ERROR (logged, not leaked). */
export function toErrorResponse(error: unknown, log: (e: unknown) => void = console.error): Response {
  if (error instanceof VeilError) return errorResponse(error);
  log(error);
  return errorResponse(new VeilError('SERVER_ERROR'));
}

/** `Authorization: Bearer <token>` → token, or undefined. Tokens are never read from URLs. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Reads a request body, stopping as soon as it passes `maxBytes` (a declared `content-length`
 * above the limit is refused unread); undefined when too large.
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return undefined;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Reads a request body as UTF-8 text of at most `maxBytes`; undefined when too large. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string | undefined> {
  const bytes = await readBodyBytes(request, maxBytes);
  return bytes && new TextDecoder().decode(bytes);
}

/** Reads a JSON request body of at most `maxBytes`; anything else is a 400 naming `what`. */
export async function readJsonBody(request: Request, maxBytes: number, what: string): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (text === undefined) fail('BAD_REQUEST', `The ${what} is too large (at most ${maxBytes} bytes).`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail('BAD_REQUEST', `The ${what} is not valid JSON.`);
  }
}
