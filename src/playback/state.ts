/** Where a player is, from identity to the end of the video; reflected as `<veil-player state>`. */
export type PlayerState = 'signed-out' | 'authorizing' | 'denied' | 'processing' | 'loading' | 'playing' | 'paused' | 'ended' | 'error';

/** A stream is loaded: the controls and shortcuts act. */
export function isReady(state: PlayerState): boolean {
  return state === 'playing' || state === 'paused' || state === 'ended';
}
