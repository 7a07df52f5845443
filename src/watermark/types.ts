/** What the tamper guard reports: the vectors it detects and its security events. */
import type { VisibilityVector } from './visibility-checks.js';

/** What was done to the watermark. */
export type TamperVector =
  | VisibilityVector
  /** The overlay element is no longer in the player's shadow root. */
  | 'removed'
  /** Another element took the overlay's place. */
  | 'replaced'
  /** The overlay's text is not what the server's session says. */
  | 'text'
  /** The overlay is not where the player put it (pinned by a rule, so it would stop moving). */
  | 'position'
  /** Nodes, attributes or text of the player's shadow root were changed from outside. */
  | 'shadow-root-altered'
  /** The shadow root's style sheets were replaced or edited. */
  | 'shadow-styles'
  /** The video went into (or was allowed into) Picture-in-Picture. */
  | 'picture-in-picture'
  /** An element inside the player (the bare video) went fullscreen without the overlay. */
  | 'fullscreen'
  /** The player was moved into another document (a Document Picture-in-Picture window, a frame). */
  | 'document-pip'
  /** The overlay's inline style was changed from outside (DevTools) and repaired at once: recorded, not held. */
  | 'inline-style';

/**
 * The audit hook: one record per tamper episode and per recovery (see README "Watermark"). A
 * repaired `inline-style` attempt is one `watermark-tampered` record with no recovery to follow.
 */
export interface WatermarkSecurityEvent {
  type: 'watermark-tampered' | 'watermark-restored';
  /** What was found (for `watermark-restored`: what had been found). */
  vectors: TamperVector[];
  /** Epoch milliseconds. */
  at: number;
  videoId: string;
  /** The playback session the watermark belongs to (`''` when none was running). */
  sessionId: string;
}
