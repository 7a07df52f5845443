/**
 * The media aggregate: a video's manifests, segments and captions as named files. Streams both
 * ways, so neither a filesystem nor an object store has to hold a whole file in memory.
 */
import { VIDEO_ID_PATTERN } from './videos.js';

export interface MediaFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

export interface MediaStore {
  /** The file's bytes, or undefined when the video has no such file. */
  read(videoId: string, file: string): Promise<MediaFile | undefined>;
  /** Writes (or replaces) a file; readers see the old file or the whole new one, never a part. */
  write(videoId: string, file: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<void>;
  /** The video's file names, sorted; empty when it has none. */
  list(videoId: string): Promise<string[]>;
  /** Removes every file of the video. */
  delete(videoId: string): Promise<void>;
}

/** File names: one plain path segment, no dot files, so no name can leave its video. */
export const MEDIA_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Throws unless both names are safe path segments (every implementation checks, not just routes). */
export function assertMediaName(videoId: string, file?: string): void {
  if (!VIDEO_ID_PATTERN.test(videoId)) throw new RangeError(`media: invalid video id '${videoId}'`);
  if (file !== undefined && (!MEDIA_FILE_NAME.test(file) || file.includes('..'))) throw new RangeError(`media: invalid file name '${file}'`);
}
