/**
 * Runs a web-standard handler in Node's `http` server (through `@hono/node-server`, which streams
 * response bodies with backpressure: media and CSV are never buffered whole).
 *
 * Hardened for hostile clients:
 * - the request URL is the service's configured origin plus the request target's path and query:
 *   an absolute-form target (`GET http://evil.example/api/…`) or a `Host` header cannot choose the
 *   origin the service sees, and a protocol-relative target (`//evil.example/…`) is just a path;
 * - every request ends in an answer and the server keeps running: methods fetch cannot represent
 *   (`TRACE`, `TRACK`, `CONNECT`), malformed targets or headers get a 4xx, never a thrown exception;
 * - header and body timeouts and a header-size cap (`NODE_SERVER_LIMITS`) for slow or huge clients.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { VeilError } from '../../protocol/errors.js';
import type { Handler } from '../context.js';
import { setClientAddress } from './client-address.js';
import { bufferedBody, errorResponse } from './json.js';

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Limits for the Node server: set them on any server that runs the service (`createVeilNodeServer` does). */
export const NODE_SERVER_LIMITS = {
  /** The request line and headers must arrive within this (ms). */
  headersTimeout: 10_000,
  /** The whole request, body included, must arrive within this (ms). */
  requestTimeout: 30_000,
  /** Request line plus headers at most this many bytes (431 beyond). */
  maxHeaderSize: 16 * 1024,
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeout: 5_000,
} as const;

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The origin-form path and query of a request target, or undefined when the target is not one
 * Veil answers (asterisk-form `*`, authority-form `host:port`, empty).
 */
export function targetPath(target: string | undefined): string | undefined {
  if (!target) return undefined;
  let path = target;
  const absolute = ABSOLUTE_FORM.exec(path);
  if (absolute) {
    path = path.slice(absolute[0].length);
    if (path === '' || path.startsWith('?')) path = `/${path}`;
  }
  return path.startsWith('/') ? path : undefined;
}

async function sendError(res: ServerResponse, error: VeilError, headers: Record<string, string> = {}): Promise<void> {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const response = errorResponse(error, { headers: { connection: 'close', ...headers } });
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, { ...Object.fromEntries(response.headers), 'content-length': String(body.length) });
  res.end(body);
}

type WholeWriter = { writeHead(status: number, headers: Record<string, string | string[]>): unknown; end(text: string): unknown };

/** Status, headers and a body known in full, written at once (one socket write for all of it). */
function writeWhole(res: WholeWriter, response: Response, text: string): void {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(response.status, headers);
  res.end(text);
}

/** A Node request listener for `handler`; `origin` is the service's public origin (configuration). */
export function toNodeListener(handler: Handler, options: { origin: string; log?: (error: unknown) => void }): NodeListener {
  const origin = new URL(options.origin).origin;
  const log = options.log ?? console.error;
  const listener = getRequestListener(async (request: Request, env: { incoming: { socket?: { remoteAddress?: string } }; outgoing: WholeWriter }) => {
    // The peer's address, for per-client limits (a proxy in front: pass `clientAddress` to the service).
    const address = env.incoming.socket?.remoteAddress;
    if (address) setClientAddress(request, address);
    const response = await handler(request);
    const text = bufferedBody(response);
    if (text === undefined) return response;
    writeWhole(env.outgoing, response, text);
    return RESPONSE_ALREADY_SENT;
  }, {
    // A library must not replace the host application's global Request/Response.
    overrideGlobalObjects: false,
    // A request that cannot be represented (bad target, bad header): the client's fault.
    errorHandler: () => errorResponse(new VeilError('BAD_REQUEST', { message: 'The request could not be read.' }), { headers: { connection: 'close' } }),
  });
  return (req, res) => {
    try {
      const path = targetPath(req.url);
      if (path === undefined) {
        void sendError(res, new VeilError('BAD_REQUEST', { message: 'The request target must be a path.' }));
        return;
      }
      if (req.method === 'CONNECT' || req.method === 'TRACK') {
        void sendError(res, new VeilError('METHOD_NOT_ALLOWED'), { allow: 'GET, HEAD, POST, OPTIONS' });
        return;
      }
      // The service sees its configured origin, whatever the target's authority or `Host` said.
      req.url = `${origin}${path}`;
      listener(req, res).catch((error: unknown) => {
        log(error);
        void sendError(res, new VeilError('SERVER_ERROR'));
      });
    } catch (error) {
      log(error);
      void sendError(res, new VeilError('BAD_REQUEST', { message: 'The request could not be read.' }));
    }
  };
}

/** `CONNECT` (no tunnels here): a 405 on the raw socket instead of a silently dropped connection. */
export function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  socket.end('HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD, POST, OPTIONS\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}

/** Applies `NODE_SERVER_LIMITS` and the `CONNECT` refusal to a server the host application made. */
export function hardenNodeServer(server: Server): Server {
  server.headersTimeout = NODE_SERVER_LIMITS.headersTimeout;
  server.requestTimeout = NODE_SERVER_LIMITS.requestTimeout;
  server.keepAliveTimeout = NODE_SERVER_LIMITS.keepAliveTimeout;
  if (server.listenerCount('connect') === 0) server.on('connect', refuseConnect);
  return server;
}

/** Node server options with the header-size cap (it can only be set when the server is created). */
export function nodeServerOptions(extra: ServerOptions = {}): ServerOptions {
  return { maxHeaderSize: NODE_SERVER_LIMITS.maxHeaderSize, headersTimeout: NODE_SERVER_LIMITS.headersTimeout, requestTimeout: NODE_SERVER_LIMITS.requestTimeout, ...extra };
}

/** A hardened Node HTTP server running `handler` (call `.listen()` on it). */
export function createVeilNodeServer(handler: Handler, options: { origin: string; log?: (error: unknown) => void }): Server {
  return hardenNodeServer(createServer(nodeServerOptions(), toNodeListener(handler, options)));
}
