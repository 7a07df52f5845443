/**
 * CORS from an explicit allowlist of page origins, compared with the service's own origin from its
 * configuration (never with the request URL, whose authority a client chooses). A foreign origin
 * not on the list is refused before any route runs; same-origin requests need no entry.
 *
 * Per route: the methods a path answers, the request headers a page may send and the response
 * headers it may read (tus needs `PATCH`/`HEAD`/`DELETE`, `Upload-*`/`Tus-*` and an exposed
 * `Location`; the router collects them from the route definitions).
 */
import type { MiddlewareHandler } from 'hono';
import { VeilError } from '../../protocol/errors.js';
import { errorResponse } from './json.js';

export type CorsEnv = { Variables: { corsOrigin: string | undefined } };

/** What every API route accepts from a page: the bearer credential and a JSON (or beacon) body. */
export const BASE_REQUEST_HEADERS = ['authorization', 'content-type'] as const;
/** Preflight results may be cached this long (seconds). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

function appendVary(headers: Headers, value: string): void {
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', value);
  else if (!vary.split(',').some((item) => item.trim().toLowerCase() === value.toLowerCase())) headers.set('vary', `${vary}, ${value}`);
}

/** Sets a header on a response whose headers may be immutable (then the response is re-wrapped). */
export function withHeaders(response: Response, set: (headers: Headers) => void): Response {
  try {
    set(response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    set(copy.headers);
    return copy;
  }
}

/**
 * The gate in front of every route: no `Origin` or our own → on; an allowlisted origin → on, and
 * the response carries `Access-Control-Allow-Origin`; anything else → 403 `ORIGIN_NOT_ALLOWED`.
 */
export function originGate(ownOrigin: string, allowedOrigins: readonly string[]): MiddlewareHandler<CorsEnv> {
  const allowlist = new Set(allowedOrigins.filter((origin) => origin !== ownOrigin));
  return async (c, next) => {
    const origin = c.req.raw.headers.get('origin');
    c.set('corsOrigin', undefined);
    if (origin === null || origin === ownOrigin) {
      await next();
      c.res = withHeaders(c.res, (headers) => appendVary(headers, 'Origin'));
      return;
    }
    if (!allowlist.has(origin)) {
      return errorResponse(new VeilError('ORIGIN_NOT_ALLOWED', { data: { origin } }), { headers: { vary: 'Origin' } });
    }
    c.set('corsOrigin', origin);
    await next();
    c.res = withHeaders(c.res, (headers) => {
      headers.set('access-control-allow-origin', origin);
      appendVary(headers, 'Origin');
    });
  };
}

export interface PathCors {
  /** Methods the path answers (HEAD and OPTIONS included). */
  methods: readonly string[];
  requestHeaders: readonly string[];
}

/** `OPTIONS` on a route's path: a CORS preflight for an allowlisted page, else a plain `Allow`. */
export function preflight({ methods, requestHeaders }: PathCors): MiddlewareHandler<CorsEnv> {
  const allow = methods.join(', ');
  const headers = [...new Set([...BASE_REQUEST_HEADERS, ...requestHeaders.map((name) => name.toLowerCase())])].join(', ');
  return async (c) => {
    if (!c.get('corsOrigin')) return new Response(null, { status: 204, headers: { allow } });
    return new Response(null, {
      status: 204,
      headers: {
        allow,
        'access-control-allow-methods': allow,
        'access-control-allow-headers': headers,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      },
    });
  };
}
