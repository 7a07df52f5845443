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
  /** Pending access requests answered by this save (approved or denied): removed with it. */
  resolveRequests?: readonly Principal[];
}

/** A member's pending request for access to a video. */
export interface AccessRequest {
  principal: Principal;
  requestedAt: number;
}

/** A grant whose expiry has passed, still stored (the expiry sweep removes and audits it). */
export interface ExpiredGrant {
  videoId: string;
  org: string;
  grant: Grant;
}

export interface GrantRepository {
  /** The video's access, or undefined for an unknown video. */
  read(videoId: string): Promise<VideoAccess | undefined>;
  /**
   * The same with only the grants naming one of `principals` (a viewer's own: `user:<sub>` and
   * their groups) — what a `view` decision needs, a few rows however many grants the video has.
   */
  readFor(videoId: string, principals: readonly Principal[]): Promise<VideoAccess | undefined>;
  /**
   * Applies `update` in one transaction if the stored version is still `expectedVersion`;
   * `{ saved: false }` (nothing written) when another save came first or the video is unknown.
   */
  save(videoId: string, expectedVersion: number, update: AccessUpdate): Promise<{ saved: true; version: number } | { saved: false }>;
  /** The access of every video of `org` (a policy change checks them all), by video id. */
  listByOrg(org: string): Promise<Array<{ videoId: string; access: VideoAccess }>>;
  /** Pending access requests of a video, oldest first. */
  requests(videoId: string): Promise<AccessRequest[]>;
  /** Files a request; false when that principal already has one pending (or the video is unknown). */
  addRequest(videoId: string, request: AccessRequest): Promise<boolean>;
  /** Up to `limit` stored grants with `expiresAt <= now`, soonest first. */
  expired(now: number, limit: number): Promise<ExpiredGrant[]>;
  /**
   * Removes one expired grant if it is still stored with that expiry (moving the version on);
   * false when it was changed or removed meanwhile — so of several instances sweeping, one wins.
   */
  removeExpired(videoId: string, principal: Principal, expiresAt: number): Promise<boolean>;
}
