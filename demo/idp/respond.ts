/**
 * How the dev IdP's own routes answer (sign-in interactions, assets): every HTML page goes out
 * with the strict CSP, no caching and no referrer.
 */
import type { ServerResponse } from 'node:http';
import { IDP_CSP } from './html.js';
import { errorPage } from './pages.js';

export function send(res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  res.end(body);
}

export function sendHtml(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  send(res, status, 'text/html; charset=utf-8', body, {
    'content-security-policy': IDP_CSP,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
}

export function notFound(res: ServerResponse, assetsPath: string): void {
  sendHtml(res, 404, errorPage(assetsPath, { error: 'not_found' }));
}

export function methodNotAllowed(res: ServerResponse, assetsPath: string, allow: string): void {
  res.setHeader('allow', allow);
  sendHtml(res, 405, errorPage(assetsPath, { error: 'method_not_allowed' }));
}
