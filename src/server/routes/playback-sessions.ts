/**
 * `POST /api/playback-sessions {videoId, previousToken?, protocols?}` — the token service. The
 * session names one presentation of the video (protocol, manifest, DRM): the first of the
 * client's `protocols` it has, or its primary one. The perimeter and
 * the video's grants (`decide()`) are enforced here on a verified access token, for new sessions
 * and renewals alike; the browser's own check only spares outsiders the download. Every refusal
 * of an authenticated viewer is recorded by the server under the video's org (so its admins see
 * outsiders' attempts), beside whatever the player records itself.
 */
import { randomUUID } from 'node:crypto';
import { apiUrls, API_ROUTES } from '../../protocol/paths.js';
import { RENEWAL_GRACE_SECONDS } from '../../protocol/defaults.js';
import { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession, PlaybackSessionRequest } from '../../protocol/playback.js';
import { parseWith, PlaybackSessionRequestSchema } from '../../protocol/schemas.js';
import type { Viewer } from '../../protocol/viewer.js';
import type { AccessTokenVerifier, PerimeterCheck, RouteDefinition, WatermarkSettings } from '../context.js';
import { bearerToken, contentType, readJsonBody } from '../http/body.js';
import { fail, jsonResponse } from '../http/json.js';
import type { Guard } from '../limits/guard.js';
import type { PlaybackTokenService } from '../playback-token.js';
import type { Authorizer } from '../access/authorizer.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import { presentationFor, type VideoPresentation, type VideoRecord, type VideoRepository } from '../storage/videos.js';

const MAX_BODY_BYTES = 16 * 1024;

export interface PlaybackSessionRouteDeps {
  /** The service's public URL (origin and optional base path): the URLs in the session point there. */
  publicUrl: string;
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: PerimeterCheck;
  videos: Pick<VideoRepository, 'get'>;
  authorizer: Pick<Authorizer, 'authorize'>;
  /** Where refusals are recorded. */
  audit: ServerAuditLog;
  playbackTokens: Pick<PlaybackTokenService, 'sign' | 'verify'>;
  watermark: WatermarkSettings;
  guard: Pick<Guard, 'viewer'>;
}

export function playbackSessionRoutes(deps: PlaybackSessionRouteDeps): RouteDefinition[] {
  const urls = apiUrls(deps.publicUrl);

  /** A renewal keeps the session id of the viewer's own, genuine, recent token for the same video. */
  async function renewedSessionId(previousToken: string, viewer: Viewer, videoId: string): Promise<string> {
    const previous = await deps.playbackTokens.verify(previousToken, videoId, { expiredGraceSeconds: RENEWAL_GRACE_SECONDS });
    if (previous.sub !== viewer.sub) throw new VeilError('PLAYBACK_TOKEN_INVALID', { message: 'The previous playback token belongs to another viewer.' });
    return previous.sid;
  }

  function drmConfig(video: VideoRecord, presentation: VideoPresentation): PlaybackSession['drm'] {
    switch (presentation.protection.scheme) {
      case 'cenc':
        return { keySystems: { 'org.w3.clearkey': { licenseUrl: urls.license(video.id) } } };
      case 'hls-aes-128':
        return { aes128: true };
    }
  }

  return [
    {
      path: API_ROUTES.playbackSessions,
      method: 'POST',
      limit: 'token-service',
      async handle({ request }) {
        const viewer = await deps.verifyAccessToken(bearerToken(request));
        await deps.guard.viewer(`${viewer.issuer} ${viewer.sub}`, 'token-service');
        let requestedVideo = '';
        let video: VideoRecord | undefined;
        let presentation: VideoPresentation | undefined;
        let sessionId: string;
        try {
          const body = await readSessionRequest(request);
          requestedVideo = body.videoId;
          // Looked up before the perimeter check only to file an outsider's attempt under the
          // video's org; the answer to an outsider is PERIMETER_DENIED whether it exists or not.
          video = await deps.videos.get(body.videoId);
          deps.checkPerimeter(viewer);
          if (!video) fail('VIDEO_NOT_FOUND', undefined, { videoId: body.videoId });
          const { decision } = await deps.authorizer.authorize({ viewer }, video, 'view');
          if (!decision.allowed) throw new VeilError('PLAYBACK_NOT_GRANTED', { data: { videoId: video.id } });
          // A recording is registered while it uploads; it plays once processing made it ready.
          if (video.status === 'processing') throw new VeilError('VIDEO_NOT_READY', { data: { videoId: video.id } });
          if (video.status === 'failed') throw new VeilError('VIDEO_PROCESSING_FAILED', { data: { videoId: video.id } });
          presentation = presentationFor(video, body.protocols);
          if (!presentation) throw new VeilError('VIDEO_PROTOCOL_UNSUPPORTED', { data: { videoId: video.id, protocols: body.protocols } });
          sessionId = body.previousToken ? await renewedSessionId(body.previousToken, viewer, video.id) : randomUUID();
        } catch (error) {
          if (error instanceof VeilError) {
            await deps.audit([{ type: 'playback-session-denied', actor: viewer.sub, org: video?.org ?? viewer.org ?? '', video: video?.id ?? null, data: { code: error.code, requestedVideo } }]);
          }
          throw error;
        }

        const { token, expiresAt } = await deps.playbackTokens.sign({ sub: viewer.sub, org: viewer.org ?? '', vid: video.id, sid: sessionId, ...(viewer.course === undefined ? {} : { ctx: viewer.course }) });
        const body: PlaybackSession = {
          token,
          expiresAt,
          sessionId,
          videoId: video.id,
          manifestUrl: urls.media(video.id, presentation.manifest),
          protocol: presentation.protocol,
          drm: drmConfig(video, presentation),
          watermark: {
            required: true,
            text: viewer.email ?? viewer.name ?? viewer.sub,
            intervalSeconds: deps.watermark.intervalSeconds,
            minOpacity: deps.watermark.minOpacity,
          },
          audit: { url: urls.auditEvents() },
        };
        return jsonResponse(body, { status: 201 });
      },
    },
  ];
}

async function readSessionRequest(request: Request): Promise<PlaybackSessionRequest> {
  if (contentType(request) !== 'application/json') fail('BAD_REQUEST', 'Send the playback-session request as application/json.');
  const body = await readJsonBody(request, MAX_BODY_BYTES, 'playback-session request body');
  const parsed = parseWith(PlaybackSessionRequestSchema, body);
  if (!parsed.ok) fail('BAD_REQUEST', `${parsed.message.replace(/^the body/, 'The playback-session request body')}.`);
  return parsed.value;
}
