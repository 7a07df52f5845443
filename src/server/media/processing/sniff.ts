/**
 * Magic-byte sniffing: the container an upload claims to be decides which demuxer ffprobe and
 * ffmpeg are forced to use, so a playlist, a concat script or an image never reaches a demuxer
 * that follows references to other files or URLs.
 */
import { open } from 'node:fs/promises';

/** The containers a recorder produces: fragmented MP4 (`mp4`) and Matroska/WebM (`matroska`). */
export type Container = 'mp4' | 'matroska';

const EBML = [0x1a, 0x45, 0xdf, 0xa3];
/** ISO BMFF boxes a MediaRecorder MP4 (or any MP4) may start with. */
const MP4_FIRST_BOXES = new Set(['ftyp', 'styp', 'moov', 'moof']);

export async function sniffContainer(file: string): Promise<Container | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return sniffBytes(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function sniffBytes(head: Uint8Array): Container | undefined {
  if (head.length >= 4 && EBML.every((byte, i) => head[i] === byte)) return 'matroska';
  if (head.length >= 8 && MP4_FIRST_BOXES.has(Buffer.from(head.subarray(4, 8)).toString('latin1'))) return 'mp4';
  return undefined;
}
