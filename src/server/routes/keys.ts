/**
 * Key release, only to holders of the video's playback token who may still watch it (`decide()`
 * again: a revoked viewer gets no key or license from the revocation on, even with a valid token):
 * `GET /api/keys/{videoId}` — the HLS AES-128 key (16 raw bytes);
 * `POST /api/license/{videoId}` — a W3C EME ClearKey license exchange (EME §9.1).
 */
import { bearerToken, fail, jsonResponse, readJsonBody } from '../http.js';
import type { VeilServiceContext } from '../service.js';
import type { ContentKey } from '../storage/keys.js';
import type { ProtectionScheme } from '../storage/videos.js';

const MAX_LICENSE_REQUEST_BYTES = 8192;
const KID_B64URL = /^[A-Za-z0-9_-]{22}$/;

/** The keys of a video protected with `scheme`, for the holder of its playback token. */
async function authorizedKeys(request: Request, context: VeilServiceContext, videoId: string, scheme: ProtectionScheme, what: string): Promise<ContentKey[]> {
  const claims = await context.playbackTokens.verify(bearerToken(request), videoId);
  const video = await context.videos.get(videoId);
  if (!video) fail('VIDEO_NOT_FOUND', undefined, { videoId });
  const { decision } = await context.authorizer.authorize({ playbackToken: claims }, video, 'view');
  if (!decision.allowed) fail('PLAYBACK_NOT_GRANTED', undefined, { videoId });
  if (video.protection.scheme !== scheme) fail('VIDEO_NOT_FOUND', `This video has no ${what}.`, { videoId });
  const keys = (await context.keys.get(videoId)).filter(({ kid }) => video.protection.kids.includes(kid));
  if (keys.length === 0) fail('VIDEO_NOT_FOUND', `This video has no ${what}.`, { videoId });
  return keys;
}

export async function serveHlsKey(request: Request, context: VeilServiceContext, videoId: string): Promise<Response> {
  const [hlsKey] = await authorizedKeys(request, context, videoId, 'hls-aes-128', 'AES-128 key');
  return new Response(new Uint8Array(hlsKey!.key), {
    headers: { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' },
  });
}

export async function serveClearKeyLicense(request: Request, context: VeilServiceContext, videoId: string): Promise<Response> {
  const videoKeys = await authorizedKeys(request, context, videoId, 'cenc', 'CENC keys');
  const kids = await readLicenseRequest(request);
  const keys = videoKeys
    .map(({ kid, key }) => ({ kid: toBase64Url(Buffer.from(kid, 'hex')), key }))
    .filter(({ kid }) => kids.includes(kid))
    .map(({ kid, key }) => ({ kty: 'oct', kid, k: toBase64Url(key) }));
  if (keys.length === 0) fail('BAD_REQUEST', 'None of the requested key ids belongs to this video.', { videoId });
  return jsonResponse({ keys, type: 'temporary' });
}

async function readLicenseRequest(request: Request): Promise<string[]> {
  const body = await readJsonBody(request, MAX_LICENSE_REQUEST_BYTES, 'ClearKey license request');
  const kids = (body as { kids?: unknown } | null)?.kids;
  if (!Array.isArray(kids) || kids.length === 0 || !kids.every((kid) => typeof kid === 'string' && KID_B64URL.test(kid))) {
    fail('BAD_REQUEST', 'The license request needs `kids`: base64url key ids.');
  }
  return kids as string[];
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
