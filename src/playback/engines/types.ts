/**
 * One interface over the playback engines (shaka-player, hls.js, or a host's own): what the
 * player hands an engine and what it gets back. Types only, so every engine and the registry
 * that loads them can import it without importing each other.
 */
import type { VeilError } from '../../protocol/errors.js';
import type { PlaybackSession } from '../../protocol/playback.js';

export interface EngineOptions {
  media: HTMLVideoElement;
  session: PlaybackSession;
  /** A fresh playback token, awaited before every request so renewals apply at once. */
  token(): Promise<string>;
  /** A request came back 401: renew (once) and resolve with the token to retry with. */
  renewToken(): Promise<string>;
  /** Fatal engine errors after `load` resolved. */
  onError(error: VeilError): void;
  /** URL of hls.js's worker file (a strict CSP forbids its default `blob:` worker). */
  hlsWorkerUrl?: string;
}

/** A rendition the viewer may choose (the stream's variants, one per picture height). */
export interface EngineQuality {
  id: string;
  /** Picture height in pixels (0 when unknown). */
  height: number;
  /** Peak bits per second. */
  bitrate: number;
}

export interface EngineQualities {
  /** Highest first. */
  options: EngineQuality[];
  /** The viewer's choice: a quality id, or 'auto' for adaptive bitrate. */
  selected: string;
  /** The rendition playing now, when known (under 'auto' it changes with the network). */
  active?: string;
}

/** A WebVTT caption or subtitle track of the stream. */
export interface EngineTextTrack {
  id: string;
  /** BCP 47 language tag ('' when unknown). */
  language: string;
  /** Name from the manifest ('' when none). */
  label: string;
}

export interface EngineTextTracks {
  options: EngineTextTrack[];
  /** The track shown, or null when captions are off. */
  selected: string | null;
}

/**
 * A loaded stream. Everything but `destroy` is optional, so a minimal custom engine (see the
 * player's `engineLoader`) needs only `destroy`; the player hides controls an engine cannot serve.
 */
export interface Engine {
  destroy(): Promise<void>;
  /** Renditions and the current choice. */
  qualities?(): EngineQualities;
  /** Picks a rendition (ABR off) or 'auto' (ABR on). */
  setQuality?(id: string): void;
  /** Caption tracks and the one shown. */
  textTracks?(): EngineTextTracks;
  /** Shows a caption track on the media element's native text tracks, or none with null. */
  setTextTrack?(id: string | null): void;
  /** Registers a callback for whenever `qualities()` or `textTracks()` may have changed. */
  onTracksChanged?(listener: () => void): void;
}

/** What `Engine.setQuality` takes for adaptive bitrate. */
export const AUTO_QUALITY = 'auto';

/** Loads an engine for a playback session and starts loading the stream. */
export type EngineLoader = (options: EngineOptions) => Promise<Engine>;
