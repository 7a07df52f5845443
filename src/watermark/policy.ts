/**
 * The watermark policy as the player applies it: the server's `watermark` object from the
 * playback session, normalised and frozen so nothing on the page (not even a custom engine that
 * receives the session) can loosen it afterwards.
 */
import { DEFAULT_WATERMARK_INTERVAL_SECONDS, DEFAULT_WATERMARK_MIN_OPACITY } from '../protocol/defaults.js';
import type { WatermarkPolicy } from '../protocol/playback.js';

/** Opacity when the host sets no `--veil-watermark-opacity` (never below the policy minimum). */
export const DEFAULT_OPACITY = 0.5;

export interface AppliedWatermarkPolicy extends WatermarkPolicy {
  readonly required: boolean;
  readonly text: string;
  readonly intervalSeconds: number;
  readonly minOpacity: number;
}

/**
 * Fails closed: anything but an explicit `required: false` means a watermark is required, and
 * out-of-range numbers fall back to the defaults rather than to "off".
 */
export function applyPolicy(policy: Partial<WatermarkPolicy> | undefined): AppliedWatermarkPolicy {
  const interval = Number(policy?.intervalSeconds);
  const minOpacity = Number(policy?.minOpacity);
  return Object.freeze({
    required: policy?.required !== false,
    text: typeof policy?.text === 'string' ? policy.text : '',
    intervalSeconds: Number.isFinite(interval) && interval >= 0.1 ? Math.min(interval, 3600) : DEFAULT_WATERMARK_INTERVAL_SECONDS,
    minOpacity: Number.isFinite(minOpacity) && minOpacity >= 0 ? Math.min(minOpacity, 1) : DEFAULT_WATERMARK_MIN_OPACITY,
  });
}

/**
 * The two lines drawn: the viewer (as the server named them) and `<short session id> · <UTC time>`,
 * so a leaked frame names the viewer, the viewing session and when.
 */
export function watermarkLines(policy: AppliedWatermarkPolicy, sessionId: string, now = new Date()): readonly [string, string] {
  const time = now.toISOString().slice(0, 16).replace('T', ' ');
  return [policy.text, `${sessionId.slice(0, 8)} · ${time} UTC`];
}

/**
 * The overlay's `opacity` value: the host's `--veil-watermark-opacity`, but never below the
 * policy minimum (CSS `max()`, so a later change of the custom property is bounded too).
 */
export function opacityValue(policy: AppliedWatermarkPolicy): string {
  return `max(${policy.minOpacity}, var(--veil-watermark-opacity, ${Math.max(DEFAULT_OPACITY, policy.minOpacity)}))`;
}
