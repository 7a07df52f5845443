/**
 * Key release, only to holders of the video's playback token who may still watch it (`decide()`
 * again: a revoked viewer gets no key or license from the revocation on, even with a valid token):
 * `GET /api/keys/:videoId` — the HLS AES-128 key (16 raw bytes);
 * `POST /api/license/:videoId` — a W3C EME ClearKey license exchange (EME §9.1).
 */
import { API_ROUTES } from '../../protocol/paths.js';
import { ClearKeyLicenseRequestSchema, parseWith } from '../../protocol/schemas.js';
import type { Authorizer } from '../access/authorizer.js';
import type { RouteDefinition } from '../context.js';
import { bearerToken, readJsonBody } from '../http/body.js';
import { fail, jsonResponse } from '../http/json.js';
import type { Guard } from '../limits/guard.js';
import type { PlaybackTokenService } from '../playback-token.js';
import type { ContentKey, KeyStore } from '../storage/keys.js';
import { presentationsOf, type ProtectionScheme, type VideoRepository } from '../storage/videos.js';

const MAX_LICENSE_REQUEST_BYTES = 8192;

export interface KeyRouteDeps {
  playbackTokens: Pick<PlaybackTokenService, 'verify'>;
  videos: Pick<VideoRepository, 'get'>;
  keys: Pick<KeyStore, 'get'>;
  authorizer: Pick<Authorizer, 'authorize'>;
  guard: Pick<Guard, 'viewer'>;
}

export function keyRoutes({ playbackTokens, videos, keys, authorizer, guard }: KeyRouteDeps): RouteDefinition[] {
  /** The keys of a video protected with `scheme`, for the holder of its playback token. */
  async function authorizedKeys(request: Request, videoId: string, scheme: ProtectionScheme, what: string): Promise<ContentKey[]> {
    const claims = await playbackTokens.verify(bearerToken(request), videoId);
    await guard.viewer(claims.sub, 'media');
    const video = await videos.get(videoId);
    if (!video) fail('VIDEO_NOT_FOUND', undefined, { videoId });
    const { decision } = await authorizer.authorize({ playbackToken: claims }, video, 'view');
    if (!decision.allowed) fail('PLAYBACK_NOT_GRANTED', undefined, { videoId });
    // Only the keys of the presentation this route serves: the HLS key route never hands out a CENC key.
    const presentation = presentationsOf(video).find(({ protection }) => protection.scheme === scheme);
    if (!presentation) fail('VIDEO_NOT_FOUND', `This video has no ${what}.`, { videoId });
    const found = (await keys.get(videoId)).filter(({ kid }) => presentation.protection.kids.includes(kid));
    if (found.length === 0) fail('VIDEO_NOT_FOUND', `This video has no ${what}.`, { videoId });
    return found;
  }

  return [
    {
      path: API_ROUTES.hlsKey,
      method: 'GET',
      limit: 'media',
      async handle({ request, params }) {
        const [hlsKey] = await authorizedKeys(request, params.videoId ?? '', 'hls-aes-128', 'AES-128 key');
        return new Response(new Uint8Array(hlsKey!.key), {
          headers: { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' },
        });
      },
    },
    {
      path: API_ROUTES.license,
      method: 'POST',
      limit: 'media',
      async handle({ request, params }) {
        const videoId = params.videoId ?? '';
        const videoKeys = await authorizedKeys(request, videoId, 'cenc', 'CENC keys');
        const kids = await readLicenseRequest(request);
        const released = videoKeys
          .map(({ kid, key }) => ({ kid: toBase64Url(Buffer.from(kid, 'hex')), key }))
          .filter(({ kid }) => kids.includes(kid))
          .map(({ kid, key }) => ({ kty: 'oct', kid, k: toBase64Url(key) }));
        if (released.length === 0) fail('BAD_REQUEST', 'None of the requested key ids belongs to this video.', { videoId });
        return jsonResponse({ keys: released, type: 'temporary' });
      },
    },
  ];
}

async function readLicenseRequest(request: Request): Promise<string[]> {
  const body = await readJsonBody(request, MAX_LICENSE_REQUEST_BYTES, 'ClearKey license request');
  const parsed = parseWith(ClearKeyLicenseRequestSchema, body);
  if (!parsed.ok) {
    fail('BAD_REQUEST', /^(`kids`|kids\[|the body)/.test(parsed.message) ? 'The license request needs `kids`: base64url key ids.' : `The license request: ${parsed.message}.`);
  }
  return parsed.value.kids;
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
