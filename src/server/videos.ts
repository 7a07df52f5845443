/**
 * The video registry: who owns a video, who may watch it, and where its media and keys live.
 * The reference implementation is in memory; a deployment can back `VideoStore` with a database.
 */
import type { StreamProtocol } from '../protocol/playback.js';
import type { Viewer } from '../protocol/viewer.js';

export type VideoProtection =
  /** CENC (`cenc` scheme) DASH; keys released through the ClearKey license endpoint. */
  | { scheme: 'cenc'; keys: ReadonlyArray<{ kid: Uint8Array; key: Uint8Array }> }
  /** HLS AES-128 segment encryption; the key released through the key endpoint. */
  | { scheme: 'hls-aes-128'; key: Uint8Array };

export interface VideoRecord {
  id: string;
  title: string;
  /** `sub` of the owner. */
  owner: string;
  org: string;
  /** `org`: everyone in the owning org may watch; `private`: only the owner (and, later, grants). */
  audience: 'org' | 'private';
  protocol: StreamProtocol;
  /** Directory holding manifest and segments; nothing else may be inside it. */
  mediaDir: string;
  /** Manifest/playlist file name inside `mediaDir`. */
  manifest: string;
  protection: VideoProtection;
  /** `sub`s whose access was withdrawn; checked on every playback session and renewal. */
  revoked?: readonly string[];
}

export interface VideoStore {
  get(id: string): Promise<VideoRecord | undefined>;
  put(video: VideoRecord): Promise<void>;
}

export class MemoryVideoStore implements VideoStore {
  readonly #videos = new Map<string, VideoRecord>();

  constructor(videos: Iterable<VideoRecord> = []) {
    for (const video of videos) this.#videos.set(video.id, video);
  }

  async get(id: string): Promise<VideoRecord | undefined> {
    return this.#videos.get(id);
  }

  async put(video: VideoRecord): Promise<void> {
    this.#videos.set(video.id, video);
  }
}

/** Whether a viewer (already inside the perimeter) may watch a video. */
export function canView(viewer: Viewer, video: VideoRecord): boolean {
  if (video.revoked?.includes(viewer.sub)) return false;
  if (viewer.sub === video.owner) return true;
  return video.audience === 'org' && viewer.org === video.org;
}

/** Video ids are path segments and token claims: keep them boring. */
export const VIDEO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
