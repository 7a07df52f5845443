/**
 * CORS for the API and media routes: an explicit allowlist of page origins. Requests from other
 * origins are refused before any handler runs; same-origin requests need no entry.
 */
import { VeilError } from '../protocol/errors.js';
import { errorResponse, type Handler } from './http.js';

// tus 1.0 (the recorder's uploads) adds HEAD/PATCH/DELETE and its own headers.
const ALLOWED_HEADERS = 'authorization, content-type, tus-resumable, upload-length, upload-defer-length, upload-offset, upload-metadata, upload-checksum';
const ALLOWED_METHODS = 'GET, HEAD, POST, PATCH, DELETE, OPTIONS';
const EXPOSED_HEADERS = 'location, tus-resumable, upload-offset, upload-length, upload-expires, veil-upload-token, veil-upload-token-expires, veil-video-id';

export function withCors(handler: Handler, allowedOrigins: readonly string[]): Handler {
  const allowlist = new Set(allowedOrigins);
  return async (request) => {
    const origin = request.headers.get('origin');
    const sameOrigin = origin === new URL(request.url).origin;
    if (origin === null || sameOrigin) {
      return request.method === 'OPTIONS' ? new Response(null, { status: 204 }) : handler(request);
    }
    if (!allowlist.has(origin)) {
      return errorResponse(new VeilError('ORIGIN_NOT_ALLOWED', { data: { origin } }), { headers: { vary: 'Origin' } });
    }
    const corsHeaders = {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': EXPOSED_HEADERS,
      vary: 'Origin',
    };
    if (request.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          ...corsHeaders,
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': '600',
        },
      });
    }
    const response = await handler(request);
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(corsHeaders)) headers.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
