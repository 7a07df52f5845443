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

/** The body's bytes, or undefined when it passes `maxBytes`; 408 when it is slower than `timeoutMs`. */
export async function readBodyBytes(request: Request, maxBytes: number, timeoutMs = BODY_TIMEOUT_MS): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) return undefined;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === 'timeout') {
        reader.cancel().catch(() => undefined);
        throw new VeilError('REQUEST_TIMEOUT', { data: { timeoutMs } });
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
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
