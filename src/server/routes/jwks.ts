/**
 * `GET /api/jwks` — the public keys that verify playback tokens (RFC 7517 JWK Set), so another
 * service (a CDN edge, a second deployment) can check a token without sharing a secret.
 */
import { jsonResponse } from '../http.js';
import type { VeilServiceContext } from '../service.js';

/** Short enough that a rotation's new key is picked up well within one token lifetime. */
const JWKS_MAX_AGE_SECONDS = 60;

export async function serveJwks(_request: Request, context: VeilServiceContext): Promise<Response> {
  return jsonResponse(await context.playbackTokens.jwks(), { headers: { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` } });
}
