/**
 * `POST /api/playback-sessions {videoId, previousToken?}` — the token service. The perimeter and
 * the video's audience are enforced here on a verified access token, for new sessions and renewals
 * alike; the browser's own check only spares outsiders the download.
 */
import { randomUUID } from 'node:crypto';
import { apiUrls } from '../../protocol/paths.js';
import { RENEWAL_GRACE_SECONDS } from '../../protocol/defaults.js';
import { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession, PlaybackSessionRequest } from '../../protocol/playback.js';
import { bearerToken, fail, jsonResponse, readJsonBody } from '../http.js';
import { canView, VIDEO_ID_PATTERN, type VideoRecord } from '../storage/videos.js';
import type { VeilServiceContext } from '../service.js';
import type { Viewer } from '../../protocol/viewer.js';

const MAX_BODY_BYTES = 4096;

export async function createPlaybackSession(request: Request, context: VeilServiceContext): Promise<Response> {
  const viewer = await context.verifyAccessToken(bearerToken(request));
  context.checkPerimeter(viewer);
  const { videoId, previousToken } = await readSessionRequest(request);
  const video = await context.videos.get(videoId);
  if (!video) fail('VIDEO_NOT_FOUND', undefined, { videoId });
  if (!canView(viewer, video) || (await context.videos.isAccessRevoked(video.id, viewer.sub))) throw new VeilError('PLAYBACK_NOT_GRANTED', { data: { videoId } });
  // A recording is registered while it uploads; it plays once processing made it ready.
  if (video.status === 'processing') throw new VeilError('VIDEO_NOT_READY', { data: { videoId } });
  if (video.status === 'failed') throw new VeilError('VIDEO_PROCESSING_FAILED', { data: { videoId } });

  const sessionId = previousToken ? await renewedSessionId(context, previousToken, viewer, videoId) : randomUUID();
  const { token, expiresAt } = await context.playbackTokens.sign({
    sub: viewer.sub,
    org: viewer.org ?? '',
    vid: video.id,
    sid: sessionId,
  });
  const body: PlaybackSession = {
    token,
    expiresAt,
    sessionId,
    videoId: video.id,
    manifestUrl: apiUrls(context.publicUrl).media(video.id, video.manifest),
    protocol: video.protocol,
    drm: drmConfig(video, context.publicUrl),
    watermark: {
      required: true,
      text: watermarkText(viewer),
      intervalSeconds: context.watermark.intervalSeconds,
      minOpacity: context.watermark.minOpacity,
    },
    audit: { url: apiUrls(context.publicUrl).auditEvents() },
  };
  return jsonResponse(body, { status: 201 });
}

async function readSessionRequest(request: Request): Promise<PlaybackSessionRequest> {
  if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
    fail('BAD_REQUEST', 'Send the playback-session request as application/json.');
  }
  const body = await readJsonBody(request, MAX_BODY_BYTES, 'playback-session request body');
  const { videoId, previousToken } = (body ?? {}) as Partial<PlaybackSessionRequest>;
  if (typeof videoId !== 'string' || !VIDEO_ID_PATTERN.test(videoId)) {
    fail('BAD_REQUEST', '`videoId` must be a string of letters, digits, "-" or "_" (at most 64).');
  }
  if (previousToken !== undefined && typeof previousToken !== 'string') fail('BAD_REQUEST', '`previousToken` must be a string.');
  return { videoId, previousToken };
}

/** A renewal keeps the session id of the viewer's own, genuine, recent token for the same video. */
async function renewedSessionId(context: VeilServiceContext, previousToken: string, viewer: Viewer, videoId: string): Promise<string> {
  const previous = await context.playbackTokens.verify(previousToken, videoId, { expiredGraceSeconds: RENEWAL_GRACE_SECONDS });
  if (previous.sub !== viewer.sub) throw new VeilError('PLAYBACK_TOKEN_INVALID', { message: 'The previous playback token belongs to another viewer.' });
  return previous.sid;
}

function drmConfig(video: VideoRecord, publicUrl: string): PlaybackSession['drm'] {
  switch (video.protection.scheme) {
    case 'cenc':
      return { keySystems: { 'org.w3.clearkey': { licenseUrl: apiUrls(publicUrl).license(video.id) } } };
    case 'hls-aes-128':
      return { aes128: true };
  }
}

function watermarkText(viewer: Viewer): string {
  return viewer.email ?? viewer.name ?? viewer.sub;
}
