/**
 * What the routes need from the service, as types only: route modules import this, never
 * `service.ts` (the composition root imports them), so there is no import cycle.
 */
import type { AuditStore } from './audit/store.js';
import type { Viewer } from '../protocol/viewer.js';
import type { LimitGroup } from './limits/guard.js';

export type { AccessTokenVerifier } from './identity/verifier.js';

/** A web-standard handler: the service runs unchanged on Node, Deno, Bun, workers or behind any framework. */
export type Handler = (request: Request) => Promise<Response>;

/** Throws `PERIMETER_DENIED` for a verified viewer outside the deployment's perimeter. */
export type PerimeterCheck = (viewer: Viewer) => void;

export interface WatermarkSettings {
  intervalSeconds: number;
  minOpacity: number;
}

export interface AuditSettings {
  store: AuditStore;
  /** Group (in the access token's `groups`) whose members read their org's trail. */
  adminGroup: string;
  /** How long after a token's expiry its queued events are still accepted (seconds). */
  lateDeliverySeconds: number;
}

/** What a route handler gets: the request, its named path parameters (decoded) and its URL. */
export interface RouteContext {
  request: Request;
  params: Readonly<Record<string, string>>;
  url: URL;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/** One route: a path pattern from `API_ROUTES` (Hono syntax, `:name` parameters), a method, a handler. */
export interface RouteDefinition {
  path: string;
  method: HttpMethod;
  handle: (context: RouteContext) => Promise<Response>;
  /** Request headers a cross-origin page may send here, besides `authorization` and `content-type`. */
  requestHeaders?: readonly string[];
  /** Response headers a cross-origin page may read here (e.g. `Location`, `Upload-Offset`). */
  exposedHeaders?: readonly string[];
  /** The rate-limit group the route counts toward (per client, before the handler runs). */
  limit?: LimitGroup;
}
