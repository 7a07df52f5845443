/**
 * `GET /media/:videoId/:file` — manifests and segments, for holders of that video's playback token.
 * Only files with media extensions directly inside the video's media directory are served, streamed
 * from disk (never read whole into memory).
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { API_ROUTES } from '../../protocol/paths.js';
import type { RouteDefinition } from '../context.js';
import { bearerToken } from '../http/body.js';
import { fail } from '../http/json.js';
import type { Guard } from '../limits/guard.js';
import type { PlaybackTokenService } from '../playback-token.js';
import type { VideoStore } from '../videos.js';

const CONTENT_TYPES: Record<string, string> = {
  '.mpd': 'application/dash+xml',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
  '.vtt': 'text/vtt',
};

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface MediaRouteDeps {
  playbackTokens: Pick<PlaybackTokenService, 'verify'>;
  videos: Pick<VideoStore, 'get'>;
  guard: Pick<Guard, 'viewer'>;
}

/** A file's bytes as a web stream; undefined when it cannot be opened as a regular file. */
async function fileStream(path: string): Promise<{ body: ReadableStream<Uint8Array>; size: number } | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('not a file');
    const stream = handle.createReadStream({ autoClose: true });
    return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, size: stats.size };
  } catch {
    await handle.close().catch(() => undefined);
    return undefined;
  }
}

export function mediaRoutes({ playbackTokens, videos, guard }: MediaRouteDeps): RouteDefinition[] {
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
        const extension = fileName.slice(fileName.lastIndexOf('.'));
        const contentType = CONTENT_TYPES[extension];
        if (!video || !contentType || !FILE_NAME.test(fileName) || fileName.includes('..')) {
          fail('VIDEO_NOT_FOUND', 'No such media file.', { videoId, fileName });
        }
        const file = await fileStream(join(video.mediaDir, fileName));
        if (!file) fail('VIDEO_NOT_FOUND', 'No such media file.', { videoId, fileName });
        return new Response(file.body, {
          headers: { 'content-type': contentType, 'content-length': String(file.size), 'cache-control': 'private, no-store' },
        });
      },
    },
  ];
}
