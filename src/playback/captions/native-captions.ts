/**
 * Caption tracks drawn by the browser on the media element's native text tracks, created with
 * `addTextTrack()` and filled with `VTTCue`s. No `<track src>`: a source URL could not carry the
 * playback token, and a strict `media-src` refuses placeholder `data:` sources.
 *
 * Native text tracks cannot be removed from a media element, so tracks are pooled per element and
 * reused (emptied and disabled) by the next stream played on it.
 */
import type { EngineTextTrack, EngineTextTracks } from '../engines/types.js';
import type { ParsedCue } from './webvtt.js';

interface Entry {
  info: EngineTextTrack;
  track: TextTrack;
  /** Keys of the cues present, so a range loaded twice is not doubled. */
  keys: Set<string>;
}

function cueKey(cue: VTTCue): string {
  return `${cue.startTime} ${cue.endTime} ${cue.text}`;
}

/** Native tracks this module created, per media element, with whether one is in use. */
const pools = new WeakMap<HTMLMediaElement, Map<TextTrack, boolean>>();

function acquire(media: HTMLMediaElement, label: string, language: string): TextTrack {
  let pool = pools.get(media);
  if (!pool) pools.set(media, (pool = new Map()));
  for (const [track, inUse] of pool) {
    if (!inUse && track.label === label && track.language === language) {
      pool.set(track, true);
      return track;
    }
  }
  const track = media.addTextTrack('subtitles', label, language);
  track.mode = 'disabled';
  pool.set(track, true);
  return track;
}

/** A track's cues (a disabled track hides them, so it is briefly made hidden). */
function cuesOf(track: TextTrack): TextTrackCue[] {
  if (track.mode !== 'disabled') return Array.from(track.cues ?? []);
  track.mode = 'hidden';
  const cues = Array.from(track.cues ?? []);
  track.mode = 'disabled';
  return cues;
}

function release(media: HTMLMediaElement, track: TextTrack): void {
  track.mode = 'disabled';
  for (const cue of cuesOf(track)) track.removeCue(cue);
  pools.get(media)?.set(track, false);
}

export class NativeCaptions {
  readonly #media: HTMLMediaElement;
  readonly #onChange: () => void;
  #entries = new Map<string, Entry>();
  #selected: string | null = null;

  constructor(media: HTMLMediaElement, onChange: () => void = () => undefined) {
    this.#media = media;
    this.#onChange = onChange;
  }

  /** Makes the set of tracks `list` (keeping the cues of tracks that stay). */
  setTracks(list: readonly EngineTextTrack[]): void {
    const next = new Map<string, Entry>();
    for (const info of list) {
      const kept = this.#entries.get(info.id);
      if (kept && kept.info.label === info.label && kept.info.language === info.language) {
        next.set(info.id, kept);
        this.#entries.delete(info.id);
      } else {
        next.set(info.id, { info, track: acquire(this.#media, info.label || info.language, info.language), keys: new Set() });
      }
    }
    for (const entry of this.#entries.values()) release(this.#media, entry.track);
    this.#entries = next;
    if (this.#selected !== null && !next.has(this.#selected)) this.#selected = null;
    this.#applyModes();
    this.#onChange();
  }

  addCues(id: string, cues: readonly ParsedCue[], offsetSeconds = 0): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    for (const { start, end, text } of cues) {
      const cue = new VTTCue(start + offsetSeconds, end + offsetSeconds, text);
      const key = cueKey(cue);
      if (entry.keys.has(key)) continue;
      entry.keys.add(key);
      entry.track.addCue(cue);
    }
  }

  /** Removes cues overlapping [from, to) from every track. */
  removeCues(from: number, to: number): void {
    for (const entry of this.#entries.values()) {
      for (const cue of cuesOf(entry.track)) {
        if (cue.startTime < to && cue.endTime > from) {
          entry.track.removeCue(cue);
          entry.keys.delete(cueKey(cue as VTTCue));
        }
      }
    }
  }

  /** Shows one track (or none); the others are disabled. */
  select(id: string | null): void {
    this.#selected = id !== null && this.#entries.has(id) ? id : null;
    this.#applyModes();
    this.#onChange();
  }

  state(): EngineTextTracks {
    return { options: [...this.#entries.values()].map(({ info }) => info), selected: this.#selected };
  }

  /** The native track behind a caption track (tests and engines that fill it themselves). */
  nativeTrack(id: string): TextTrack | undefined {
    return this.#entries.get(id)?.track;
  }

  destroy(): void {
    for (const entry of this.#entries.values()) release(this.#media, entry.track);
    this.#entries.clear();
    this.#selected = null;
  }

  #applyModes(): void {
    for (const [id, { track }] of this.#entries) {
      const mode = id === this.#selected ? 'showing' : 'disabled';
      if (track.mode !== mode) track.mode = mode;
    }
  }
}
