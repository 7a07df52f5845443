/**
 * What both engines share for quality and caption selection: the change listeners and the
 * rendition list the viewer sees.
 */
import type { EngineQuality } from './types.js';

/** The `onTracksChanged` callbacks of one engine. */
export class TrackListeners {
  readonly #listeners = new Set<() => void>();

  add = (listener: () => void): void => {
    this.#listeners.add(listener);
  };

  notify = (): void => {
    for (const listener of this.#listeners) listener();
  };
}

/** One option per picture height (the best bitrate of each), highest first. */
export function distinctQualities(list: readonly EngineQuality[]): EngineQuality[] {
  const byHeight = new Map<number, EngineQuality>();
  for (const quality of list) {
    const known = byHeight.get(quality.height);
    if (!known || quality.bitrate > known.bitrate) byHeight.set(quality.height, quality);
  }
  return [...byHeight.values()].sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);
}
