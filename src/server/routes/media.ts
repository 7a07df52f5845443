/**
 * `GET /media/:videoId/:file` — manifests and segments, for holders of that video's playback token.
 * Only files with media extensions among the video's media are served, streamed from the
 * MediaStore (never read whole into memory).
 */
import { API_ROUTES } from '../../protocol/paths.js';
import type { RouteDefinition } from '../context.js';
import { bearerToken } from '../http/body.js';
import { fail } from '../http/json.js';
import type { Guard } from '../limits/guard.js';
import type { PlaybackTokenService } from '../playback-token.js';
import { MEDIA_FILE_NAME, type MediaStore } from '../storage/media.js';
import type { VideoRepository } from '../storage/videos.js';

const CONTENT_TYPES: Record<string, string> = {
  '.mpd': 'application/dash+xml',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
  '.vtt': 'text/vtt',
};

export interface MediaRouteDeps {
  playbackTokens: Pick<PlaybackTokenService, 'verify'>;
  videos: Pick<VideoRepository, 'get'>;
  media: Pick<MediaStore, 'read'>;
  guard: Pick<Guard, 'viewer'>;
}

export function mediaRoutes({ playbackTokens, videos, media, guard }: MediaRouteDeps): RouteDefinition[] {
  return [
    {
      path: API_ROUTES.media,
      method: 'GET',
      limit: 'media',
      async handle({ request, params }) {
        const videoId = params.videoId ?? '';
        const fileName = params.file ?? '';
        const claims = await playbackTokens.verify(bearerToken(request), videoId);
        await guard.viewer(claims.sub, 'media');
        const video = await videos.get(videoId);
        const contentType = CONTENT_TYPES[fileName.slice(fileName.lastIndexOf('.'))];
        const file = video && contentType && MEDIA_FILE_NAME.test(fileName) && !fileName.includes('..') ? await media.read(videoId, fileName) : undefined;
        if (!file) fail('VIDEO_NOT_FOUND', 'No such media file.', { videoId, fileName });
        return new Response(file.body, {
          headers: { 'content-type': contentType!, 'content-length': String(file.size), 'cache-control': 'private, no-store' },
        });
      },
    },
  ];
}
