/**
 * `GET /media/{videoId}/{file}` — manifests and segments, for holders of that video's playback token.
 * Only files with media extensions among the video's media are served, streamed from the MediaStore.
 */
import { bearerToken, fail } from '../http.js';
import type { VeilServiceContext } from '../service.js';
import { MEDIA_FILE_NAME } from '../storage/media.js';

const CONTENT_TYPES: Record<string, string> = {
  '.mpd': 'application/dash+xml',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
  '.vtt': 'text/vtt',
};

export async function serveMedia(request: Request, context: VeilServiceContext, videoId: string, fileName: string): Promise<Response> {
  await context.playbackTokens.verify(bearerToken(request), videoId);
  const video = await context.videos.get(videoId);
  const extension = fileName.slice(fileName.lastIndexOf('.'));
  const contentType = CONTENT_TYPES[extension];
  const file = video && contentType && MEDIA_FILE_NAME.test(fileName) && !fileName.includes('..') ? await context.media.read(videoId, fileName) : undefined;
  if (!file) fail('VIDEO_NOT_FOUND', 'No such media file.', { videoId, fileName });
  return new Response(file.body, {
    headers: { 'content-type': contentType!, 'content-length': String(file.size), 'cache-control': 'private, no-store' },
  });
}
