/** Where a player is, from identity to the end of the video; reflected as `<veil-player state>`. */
export type PlayerState = 'signed-out' | 'authorizing' | 'denied' | 'processing' | 'loading' | 'playing' | 'paused' | 'ended' | 'error';
