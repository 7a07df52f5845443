/** Serves a folder read-only on an ephemeral 127.0.0.1 port (the built Storybook; a host page with the built library). */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface StaticOptions {
  /** Pages answered before the folder is looked at: path → HTML (read per request, so it may be filled in later). */
  pages?: Record<string, string>;
  /** Headers on every response (e.g. a page's Content-Security-Policy), read per request. */
  headers?: Record<string, string>;
  /** Default 0: an ephemeral port. */
  port?: number;
}

export function serveStatic(folder: URL | string, { pages = {}, headers = {}, port = 0 }: StaticOptions = {}): Promise<{ server: Server; origin: string }> {
  const root = resolve(typeof folder === 'string' ? folder : fileURLToPath(folder));
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const page = pages[path];
    if (page !== undefined) {
      response.writeHead(200, { 'content-type': TYPES['.html'] }).end(page);
      return;
    }
    let file = resolve(root, `.${path}`);
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    if (path.endsWith('/')) file = resolve(file, 'index.html');
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  return new Promise((done) => {
    server.listen(port, '127.0.0.1', () => done({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}
