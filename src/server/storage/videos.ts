/**
 * The video registry aggregate: metadata only. Media lives in a `MediaStore`, content keys in a
 * `KeyStore`; a record names its key ids, never the keys.
 */
import type { StreamProtocol } from '../../protocol/playback.js';
import type { VideoStatus } from '../../protocol/recording.js';
import type { GeneralAccess } from '../../protocol/sharing.js';

export type { GeneralAccess };

export type ProtectionScheme =
  /** CENC (`cenc` scheme) DASH; keys released through the ClearKey license endpoint. */
  | 'cenc'
  /** HLS AES-128 segment encryption; the key released through the key endpoint. */
  | 'hls-aes-128';

/** `processing` until packaging has written the media and keys (the recorder's uploads). */
export type { VideoStatus };

/** One way to play a video: a protocol, its manifest, and what protects it. */
export interface VideoPresentation {
  protocol: StreamProtocol;
  /** Manifest/playlist file name in the video's media. */
  manifest: string;
  protection: {
    scheme: ProtectionScheme;
    /** Key ids (32 lowercase hex digits) of the keys in the `KeyStore`; exactly one for HLS. */
    kids: readonly string[];
  };
}

/** The record's own presentation is its primary one; `alternatives` are other protocols of the same media. */
export interface VideoRecord extends VideoPresentation {
  id: string;
  title: string;
  /** `sub` of the owner: the video's one `owner` role. */
  owner: string;
  org: string;
  /** Who may watch besides the owner and grants; changed through the `GrantRepository` (versioned). */
  generalAccess: GeneralAccess;
  status: VideoStatus;
  /**
   * Further presentations of the same media, each under its own protocol and key (a processed
   * recording: CENC DASH primary, AES-128 HLS here). Absent for a single-presentation video.
   */
  alternatives?: readonly VideoPresentation[];
}

/** The primary presentation, then the alternatives. */
export function presentationsOf(video: VideoRecord): VideoPresentation[] {
  const { protocol, manifest, protection } = video;
  return [{ protocol, manifest, protection }, ...(video.alternatives ?? [])];
}

/**
 * The presentation to play for a client that can play `protocols` (in its order of preference):
 * the first of its protocols the video has; the primary one when the client does not say.
 */
export function presentationFor(video: VideoRecord, protocols?: readonly StreamProtocol[]): VideoPresentation | undefined {
  const all = presentationsOf(video);
  if (!protocols) return all[0];
  for (const protocol of protocols) {
    const found = all.find((presentation) => presentation.protocol === protocol);
    if (found) return found;
  }
  return undefined;
}

export interface VideoRepository {
  get(id: string): Promise<VideoRecord | undefined>;
  /** Inserts or replaces the record with this id. */
  put(video: VideoRecord): Promise<void>;
  /**
   * Videos `sub` owns, may watch by their org's general access, or holds a grant to through one
   * of `principals` (`user:<sub>`, `group:<id>`), newest first. Candidates: `decide()` has the last word.
   */
  listVisibleTo(sub: string, org: string | undefined, principals?: readonly string[]): Promise<VideoRecord[]>;
  delete(id: string): Promise<void>;
}

/** Video ids are path segments and token claims: keep them boring. */
export const VIDEO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Key ids as the stores and records spell them. */
export const KID_PATTERN = /^[0-9a-f]{32}$/;
