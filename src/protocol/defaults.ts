/**
 * Defaults and limits both sides must agree on. One place, so the token service and the player
 * cannot drift apart (they used to be written twice).
 */

/** Playback token lifetime when the deployment sets none (seconds). */
export const DEFAULT_PLAYBACK_TOKEN_TTL_SECONDS = 120;
/** Design limit: playback tokens live minutes, never longer than five. */
export const MAX_PLAYBACK_TOKEN_TTL_SECONDS = 300;
/**
 * A renewal may present a playback token that expired this long ago (a paused or backgrounded
 * tab); the player keeps trying to renew for as long as the server would still accept it.
 */
export const RENEWAL_GRACE_SECONDS = 300;

/** The watermark moves this often unless the server's policy says otherwise (seconds). */
export const DEFAULT_WATERMARK_INTERVAL_SECONDS = 8;
/** The watermark is never fainter than this unless the server's policy says otherwise. */
export const DEFAULT_WATERMARK_MIN_OPACITY = 0.35;

/** Group (in the access token's `groups`) whose members read their org's audit trail. */
export const DEFAULT_AUDIT_ADMIN_GROUP = 'veil-admins';

/**
 * The longest bearer token (playback or access token) either side handles, in characters. Checked
 * before any parsing; real tokens are far shorter (an Entra access token with many groups is ~4 KB).
 */
export const MAX_TOKEN_LENGTH = 8192;
