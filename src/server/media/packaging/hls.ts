/**
 * Post-flight check of ffmpeg's HLS output, so a packaging surprise fails generation instead of
 * surfacing as a broken stream: every URI in the master and variant playlists must be a relative
 * name of a file in the directory (the server serves it under `/media/<videoId>/`), and when the
 * output is meant to be encrypted every variant must declare the expected AES-128 key.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Non-tag lines of a playlist: variant playlists in a master, segments in a media playlist. */
export function playlistUris(playlist: string): string[] {
  return playlist
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Throws unless the playlists are complete and self-contained (and encrypted, given `keyUri`). */
export async function verifyHlsOutput(dir: string, master: string, keyUri?: string): Promise<void> {
  const variants = playlistUris(await readFile(join(dir, master), 'utf8'));
  if (variants.length === 0) throw new Error(`hls: ${master} lists no variants`);
  for (const variant of variants) {
    await requireLocalFile(dir, variant, master);
    const playlist = await readFile(join(dir, variant), 'utf8');
    if (keyUri !== undefined && !playlist.includes(`#EXT-X-KEY:METHOD=AES-128,URI="${keyUri}"`)) {
      throw new Error(`hls: ${variant} is not encrypted with key URI ${keyUri}`);
    }
    const segments = playlistUris(playlist);
    if (segments.length === 0) throw new Error(`hls: ${variant} lists no segments`);
    for (const segment of segments) await requireLocalFile(dir, segment, variant);
  }
}

async function requireLocalFile(dir: string, name: string, playlist: string): Promise<void> {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`hls: ${playlist} references '${name}', which is not a plain relative file name`);
  }
  const info = await stat(join(dir, name)).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`hls: ${playlist} references missing file '${name}'`);
}
