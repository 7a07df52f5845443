/**
 * The video registry aggregate: metadata only. Media lives in a `MediaStore`, content keys in a
 * `KeyStore`; a record names its key ids, never the keys.
 */
import type { StreamProtocol } from '../../protocol/playback.js';
import type { Viewer } from '../../protocol/viewer.js';
import type { VideoStatus } from '../../protocol/recording.js';

export type ProtectionScheme =
  /** CENC (`cenc` scheme) DASH; keys released through the ClearKey license endpoint. */
  | 'cenc'
  /** HLS AES-128 segment encryption; the key released through the key endpoint. */
  | 'hls-aes-128';

/** `org`: everyone in the owning org may watch; `restricted`: only the owner (and, later, grants). */
export type GeneralAccess = 'org' | 'restricted';

/** `processing` until packaging has written the media and keys (the recorder's uploads). */
export type { VideoStatus };

export interface VideoRecord {
  id: string;
  title: string;
  /** `sub` of the owner. */
  owner: string;
  org: string;
  generalAccess: GeneralAccess;
  protocol: StreamProtocol;
  /** Manifest/playlist file name in the video's media. */
  manifest: string;
  protection: {
    scheme: ProtectionScheme;
    /** Key ids (32 lowercase hex digits) of the keys in the `KeyStore`; exactly one for HLS. */
    kids: readonly string[];
  };
  status: VideoStatus;
}

export interface VideoRepository {
  get(id: string): Promise<VideoRecord | undefined>;
  /** Inserts or replaces the record with this id. */
  put(video: VideoRecord): Promise<void>;
  /**
   * Withdraws (or, with `revoked: false`, restores) one viewer's access to one video; checked on
   * every playback session, renewal and key release. The first cut of what per-video grants
   * will do: a viewer who can see a video by general access can still be shut out of it.
   */
  setAccessRevoked(videoId: string, sub: string, revoked: boolean): Promise<void>;
  isAccessRevoked(videoId: string, sub: string): Promise<boolean>;
  /** Videos `sub` owns or may watch by their org's general access, newest first. */
  listVisibleTo(sub: string, org: string | undefined): Promise<VideoRecord[]>;
  delete(id: string): Promise<void>;
}

/** Whether a viewer (already inside the perimeter, not revoked) may watch a video. */
export function canView(viewer: Viewer, video: VideoRecord): boolean {
  if (viewer.sub === video.owner) return true;
  return video.generalAccess === 'org' && viewer.org === video.org;
}

/** Video ids are path segments and token claims: keep them boring. */
export const VIDEO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Key ids as the stores and records spell them. */
export const KID_PATTERN = /^[0-9a-f]{32}$/;
