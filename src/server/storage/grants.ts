/**
 * The access aggregate of a video: its general access and its grants, versioned as one unit so a
 * batch of changes is saved whole or not at all, and only over the version it was made against
 * (the access document's ETag). The owner stays in the `VideoRecord`.
 */
import type { GeneralAccess, Principal } from '../../protocol/sharing.js';
import type { Grant } from '../access/model.js';

export interface VideoAccess {
  generalAccess: GeneralAccess;
  /** Ordered by principal. */
  grants: Grant[];
  /** Grows by one with every saved batch. */
  version: number;
}

export interface AccessUpdate {
  generalAccess?: GeneralAccess;
  /** Inserted or replacing the grant of the same principal. */
  put: readonly Grant[];
  remove: readonly Principal[];
}

export interface GrantRepository {
  /** The video's access, or undefined for an unknown video. */
  read(videoId: string): Promise<VideoAccess | undefined>;
  /**
   * Applies `update` in one transaction if the stored version is still `expectedVersion`;
   * `{ saved: false }` (nothing written) when another save came first or the video is unknown.
   */
  save(videoId: string, expectedVersion: number, update: AccessUpdate): Promise<{ saved: true; version: number } | { saved: false }>;
}
