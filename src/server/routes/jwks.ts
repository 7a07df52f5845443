/**
 * `GET /api/jwks` — the public keys that verify playback tokens (RFC 7517 JWK Set), so another
 * service (a CDN edge, a second deployment) can check a token without sharing a secret.
 */
import { API_ROUTES } from '../../protocol/paths.js';
import type { RouteDefinition } from '../context.js';
import { jsonResponse } from '../http/json.js';
import type { PlaybackTokenService } from '../playback-token.js';

/** Short enough that a rotation's new key is picked up well within one token lifetime. */
const JWKS_MAX_AGE_SECONDS = 60;

export function jwksRoutes({ playbackTokens }: { playbackTokens: Pick<PlaybackTokenService, 'jwks'> }): RouteDefinition[] {
  return [
    {
      path: API_ROUTES.jwks,
      method: 'GET',
      limit: 'admin',
      handle: async () => jsonResponse(await playbackTokens.jwks(), { headers: { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` } }),
    },
  ];
}
