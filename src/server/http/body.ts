/**
 * Reading requests: bearer tokens (never from URLs, capped before any parsing) and bodies
 * (streamed with a byte limit and a deadline, so neither a huge nor a slow body ties the server up).
 */
import { MAX_TOKEN_LENGTH } from '../../protocol/defaults.js';
import { VeilError } from '../../protocol/errors.js';
import { fail } from './json.js';

/** How long a body may take to arrive once its headers are in (the Node server has its own, longer cap). */
export const BODY_TIMEOUT_MS = 15_000;

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;

/**
 * `Authorization: Bearer <token>` → token, or undefined. A header longer than any real token is
 * treated as no token at all (the verifiers cap length again before they parse anything).
 */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (!header || header.length > MAX_TOKEN_LENGTH + 16) return undefined;
  return BEARER.exec(header)?.[1];
}

/** `read` within `timeoutMs`, else 408 (after `onTimeout`, which releases what `read` holds). */
async function withinDeadline<T>(read: Promise<T>, timeoutMs: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([read, deadline]);
    if (result === 'timeout') {
      onTimeout();
      throw new VeilError('REQUEST_TIMEOUT', { data: { timeoutMs } });
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** The body's bytes, or undefined when it passes `maxBytes`; 408 when it is slower than `timeoutMs`. */
export async function readBodyBytes(request: Request, maxBytes: number, timeoutMs = BODY_TIMEOUT_MS): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) return undefined;
  if (declared !== null) {
    // A declared length within the cap (Node's parser delivers no byte past it): read the body
    // whole. Under @hono/node-server this reads the socket directly, without building a web
    // stream per request — most of what a small JSON body cost (issue 16, token service).
    const bytes = new Uint8Array(await withinDeadline(request.arrayBuffer(), timeoutMs, () => undefined));
    return bytes.byteLength > maxBytes ? undefined : bytes;
  }
  if (!request.body) return new Uint8Array(0);
  // No declared length (chunked): streamed, counting bytes, cancelled past the cap.
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const started = Date.now();
  const cancel = () => void reader.cancel().catch(() => undefined);
  for (;;) {
    const next = await withinDeadline(reader.read(), timeoutMs - (Date.now() - started), cancel);
    if (next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      cancel();
      return undefined;
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The body as UTF-8 text (malformed sequences replaced), or undefined when too large. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string | undefined> {
  const bytes = await readBodyBytes(request, maxBytes);
  return bytes && new TextDecoder().decode(bytes);
}

/** A JSON body of at most `maxBytes`: 413 when larger, 400 naming `what` when it is not JSON. */
export async function readJsonBody(request: Request, maxBytes: number, what: string): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (text === undefined) fail('REQUEST_TOO_LARGE', `The ${what} is too large (at most ${maxBytes} bytes).`, { maxBytes });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail('BAD_REQUEST', `The ${what} is not valid JSON.`);
  }
}

/** The media type of the request body, lower-case, without parameters. */
export function contentType(request: Request): string | undefined {
  return request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}
