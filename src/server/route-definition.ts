/**
 * One route as a module declares it: a pattern from `API_ROUTES` (`:name` parameters), a method and
 * a handler with its own dependencies closed over. The same shape as the Hono router's
 * `RouteDefinition`, so these modules move there unchanged.
 */
export interface RouteContext {
  request: Request;
  params: Readonly<Record<string, string>>;
  url: URL;
}

export interface RouteDefinition {
  path: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  handle: (context: RouteContext) => Promise<Response>;
  /** Request headers a cross-origin page may send here, besides `authorization` and `content-type`. */
  requestHeaders?: readonly string[];
  /** Response headers a cross-origin page may read here. */
  exposedHeaders?: readonly string[];
}
