/**
 * The service's router on Hono: route definitions (path, method, handler, CORS headers) become
 * Hono routes with named parameters; every path also answers `OPTIONS` (preflight or `Allow`) and
 * any other method with 405 and `Allow`. Malformed requests end here as 400, never as a 500.
 */
import { Hono, type Context } from 'hono';
import { VeilError } from '../protocol/errors.js';
import type { RouteDefinition } from './context.js';
import type { Guard } from './limits/guard.js';
import { originGate, preflight, withHeaders, type CorsEnv } from './http/cors.js';
import { errorResponse, toErrorResponse } from './http/json.js';
import { apiSecureHeaders } from './http/security.js';

/** Longest request path the service reads; real ones are under 200 characters. */
export const MAX_PATH_LENGTH = 2048;

export interface RouterOptions {
  /** Base path of the service under its origin ('' or e.g. `/veil`). */
  basePath: string;
  /** The service's own origin, from its configuration. */
  ownOrigin: string;
  allowedOrigins: readonly string[];
  log: (error: unknown) => void;
  /** Rate limits and blocking; without it nothing is limited. */
  guard?: Pick<Guard, 'client' | 'refused'>;
}

/** The raw (still percent-encoded) path of a request URL. */
function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

/** 400 for a path that is too long or not valid percent-encoding (`%ZZ`, `%C0`, a lone `%`). */
function checkPath(path: string): VeilError | undefined {
  if (path.length > MAX_PATH_LENGTH) return new VeilError('BAD_REQUEST', { message: `The request path is longer than ${MAX_PATH_LENGTH} characters.` });
  for (const segment of path.split('/')) {
    if (!segment.includes('%')) continue;
    try {
      decodeURIComponent(segment);
    } catch {
      return new VeilError('BAD_REQUEST', { message: 'The request path is not valid percent-encoding.' });
    }
  }
  return undefined;
}

/** Methods a set of routes answers on one path: GET implies HEAD; OPTIONS always. */
function allowedMethods(routes: readonly RouteDefinition[]): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
  }
  methods.add('OPTIONS');
  return [...methods];
}

function exposedOf(route: RouteDefinition): string | undefined {
  return route.exposedHeaders?.length ? route.exposedHeaders.join(', ') : undefined;
}

function run(route: RouteDefinition, exposed: string | undefined, guard: RouterOptions['guard']) {
  return async (c: Context<CorsEnv>): Promise<Response> => {
    const request = c.req.raw;
    let response: Response;
    try {
      if (guard && route.limit) await guard.client(request, route.limit);
      response = await route.handle({ request, params: c.req.param() as Record<string, string>, url: new URL(request.url) });
    } catch (error) {
      // A refused token counts toward blocking the client that presented it.
      if (guard && error instanceof VeilError) await guard.refused(request, error);
      throw error;
    }
    if (request.method === 'HEAD' && response.body) {
      // Hono answers HEAD with the GET route and drops the body: release it (a file stream) first.
      await response.body.cancel().catch(() => undefined);
      response = new Response(null, response);
    }
    if (exposed && c.get('corsOrigin')) response = withHeaders(response, (headers) => headers.set('access-control-expose-headers', exposed));
    return response;
  };
}

export function createRouter(routes: readonly RouteDefinition[], options: RouterOptions): Hono<CorsEnv> {
  const app = new Hono<CorsEnv>({ strict: true }).basePath(options.basePath || '/');
  app.use('*', apiSecureHeaders());
  app.use('*', originGate(options.ownOrigin, options.allowedOrigins));
  app.use('*', async (c, next) => {
    const problem = checkPath(rawPath(c.req.url));
    if (problem) return errorResponse(problem);
    await next();
  });

  const byPath = new Map<string, RouteDefinition[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  for (const [path, list] of byPath) {
    const methods = allowedMethods(list);
    const allow = methods.join(', ');
    const notAllowed = (method: string) =>
      errorResponse(new VeilError('METHOD_NOT_ALLOWED', { message: `Use ${methods.filter((m) => m !== 'OPTIONS' && m !== 'HEAD').join(' or ') || 'HEAD'} for this route.`, data: { method } }), {
        headers: { allow },
      });
    app.options(path, preflight({ methods, requestHeaders: list.flatMap((route) => route.requestHeaders ?? []) }));
    // Hono dispatches HEAD to GET routes; an explicit HEAD route (tus) shares that slot.
    const get = list.find((route) => route.method === 'GET');
    const head = list.find((route) => route.method === 'HEAD');
    if (get || head) {
      const runGet = get && run(get, exposedOf(get), options.guard);
      const runHead = head && run(head, exposedOf(head), options.guard);
      app.get(path, (c) => {
        if (c.req.raw.method === 'HEAD') return (runHead ?? runGet)!(c);
        return runGet ? runGet(c) : notAllowed(c.req.raw.method);
      });
    }
    for (const route of list) {
      if (route.method !== 'GET' && route.method !== 'HEAD') app.on(route.method, path, run(route, exposedOf(route), options.guard));
    }
    app.all(path, (c) => notAllowed(c.req.raw.method));
  }

  app.notFound(() => errorResponse(new VeilError('NOT_FOUND', { message: 'No such route.' })));
  app.onError((error) => toErrorResponse(error, options.log));
  return app;
}
