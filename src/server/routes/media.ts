/**
 * `GET /media/{videoId}/{file}` — manifests and segments, for holders of that video's playback token.
 * Only files with media extensions directly inside the video's media directory are served.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bearerToken, fail } from '../http.js';
import type { VeilServiceContext } from '../service.js';

const CONTENT_TYPES: Record<string, string> = {
  '.mpd': 'application/dash+xml',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
  '.vtt': 'text/vtt',
};

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export async function serveMedia(request: Request, context: VeilServiceContext, videoId: string, fileName: string): Promise<Response> {
  await context.playbackTokens.verify(bearerToken(request), videoId);
  const video = await context.videos.get(videoId);
  const extension = fileName.slice(fileName.lastIndexOf('.'));
  const contentType = CONTENT_TYPES[extension];
  if (!video || !contentType || !FILE_NAME.test(fileName) || fileName.includes('..')) {
    fail('VIDEO_NOT_FOUND', 'No such media file.', { videoId, fileName });
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(join(video.mediaDir, fileName));
  } catch {
    fail('VIDEO_NOT_FOUND', 'No such media file.', { videoId, fileName });
  }
  return new Response(new Uint8Array(bytes), {
    headers: { 'content-type': contentType, 'cache-control': 'private, no-store' },
  });
}
