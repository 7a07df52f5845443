/**
 * The content-key aggregate: the 16-byte keys that decrypt a video's media, by key id. An
 * implementation keeps them encrypted at rest (see `envelope.ts`); callers only see plain keys
 * in memory, for the key and license routes and for packaging.
 */
export interface ContentKey {
  /** 32 lowercase hex digits (the CENC KID; for HLS a random id naming the AES-128 key). */
  kid: string;
  key: Uint8Array;
}

export interface KeyStore {
  /** Replaces every key of the video with `keys`. */
  put(videoId: string, keys: readonly ContentKey[]): Promise<void>;
  /** The video's keys, ordered by kid; empty when it has none. */
  get(videoId: string): Promise<ContentKey[]>;
  delete(videoId: string): Promise<void>;
}
