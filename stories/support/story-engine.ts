/**
 * Engines for stories (through the player's `engineLoader`): real media on the real `<video>`,
 * with no network. The picture is an animated canvas — live through `captureStream()`, or recorded
 * into a short WebM clip (a live MediaStream never ends in Chromium, a clip does).
 */
import { AUTO_QUALITY, type Engine, type EngineLoader } from '../../src/playback/engines/types.js';
import { TrackListeners } from '../../src/playback/engines/tracks.js';
import { NativeCaptions } from '../../src/playback/captions/native-captions.js';
import { VeilError } from '../../src/protocol/errors.js';

export type { EngineLoader };

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 25;

/** An engine that never finishes loading the stream: the player stays `loading`. */
export function pendingEngine(): EngineLoader {
  return () => new Promise<Engine>(() => undefined);
}

export interface CanvasEngineOptions {
  /**
   * Record this many seconds into a clip and play that (it has a duration and ends); without it
   * the engine plays the canvas live, which never ends.
   */
  clipSeconds?: number;
  /** Offer two renditions and two caption tracks (en, fr) like the sample streams (default true). */
  tracks?: boolean;
}

/** The renditions the story engine offers (nothing changes on screen; the choice is recorded). */
export const STORY_QUALITIES = [
  { id: 'q360', height: 360, bitrate: 800_000 },
  { id: 'q180', height: 180, bitrate: 250_000 },
];

/** Caption tracks with a cue every 4 s for 10 minutes, like the sample media's. */
export const STORY_CAPTIONS = [
  { id: 'en', language: 'en', label: 'English', text: (i: number) => `Caption ${i}` },
  { id: 'fr', language: 'fr', label: 'Français', text: (i: number) => `Sous-titre ${i}` },
];

/** Quality and caption selection for a story engine, on the real media element's text tracks. */
export function storyTracks(media: HTMLMediaElement): Required<Omit<Engine, 'destroy'>> & { destroy(): void } {
  const listeners = new TrackListeners();
  const captions = new NativeCaptions(media, listeners.notify);
  captions.setTracks(STORY_CAPTIONS.map(({ id, language, label }) => ({ id, language, label })));
  for (const track of STORY_CAPTIONS) {
    captions.addCues(track.id, Array.from({ length: 150 }, (_, i) => ({ start: i * 4, end: i * 4 + 4, text: track.text(i + 1) })));
  }
  let selected = AUTO_QUALITY;
  return {
    qualities: () => ({ options: STORY_QUALITIES, selected, active: selected === AUTO_QUALITY ? STORY_QUALITIES[0]!.id : selected }),
    setQuality: (id) => {
      selected = id;
      listeners.notify();
    },
    textTracks: () => captions.state(),
    setTextTrack: (id) => captions.select(id),
    onTracksChanged: listeners.add,
    destroy: () => captions.destroy(),
  };
}

/** An engine playing an animated test picture: no manifest, no segments, no keys. */
export function canvasEngine({ clipSeconds, tracks: withTracks = true }: CanvasEngineOptions = {}): EngineLoader {
  return async ({ media, session }) => {
    const picture = animatedPicture(session.videoId);
    const stream = picture.canvas.captureStream(FPS);
    const stopLive = () => {
      picture.stop();
      for (const track of stream.getTracks()) track.stop();
    };
    media.muted = true; // muted media may start without a user gesture
    let clipUrl: string | undefined;
    try {
      if (clipSeconds) {
        const clip = await record(stream, clipSeconds);
        stopLive();
        clipUrl = URL.createObjectURL(clip);
        media.src = clipUrl;
      } else {
        media.srcObject = stream;
      }
      await metadataLoaded(media);
    } catch (cause) {
      stopLive();
      if (clipUrl) URL.revokeObjectURL(clipUrl);
      throw cause instanceof VeilError ? cause : new VeilError('MEDIA_LOAD_FAILED', { cause });
    }
    const tracks = withTracks ? storyTracks(media) : undefined;
    return {
      ...tracks,
      async destroy() {
        tracks?.destroy();
        stopLive();
        media.removeAttribute('src');
        media.srcObject = null;
        media.load();
        if (clipUrl) URL.revokeObjectURL(clipUrl);
      },
    };
  };
}

function animatedPicture(label: string): { canvas: HTMLCanvasElement; stop(): void } {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const context = canvas.getContext('2d');
  if (!context) throw new VeilError('MEDIA_UNSUPPORTED', { data: { reason: 'no 2d canvas' } });
  const start = performance.now();
  const draw = () => {
    const seconds = (performance.now() - start) / 1000;
    const gradient = context.createLinearGradient(0, 0, WIDTH, HEIGHT);
    gradient.addColorStop(0, `hsl(${(seconds * 40) % 360}, 55%, 30%)`);
    gradient.addColorStop(1, `hsl(${(seconds * 40 + 120) % 360}, 55%, 20%)`);
    context.fillStyle = gradient;
    context.fillRect(0, 0, WIDTH, HEIGHT);
    const x = ((seconds * 160) % (WIDTH + 80)) - 80;
    context.fillStyle = 'rgba(255, 255, 255, 0.35)';
    context.fillRect(x, 0, 80, HEIGHT);
    context.fillStyle = '#fff';
    context.font = '600 28px system-ui, sans-serif';
    context.textAlign = 'center';
    context.fillText(label, WIDTH / 2, HEIGHT / 2 - 10);
    context.font = '20px ui-monospace, monospace';
    context.fillText(`${seconds.toFixed(2)} s`, WIDTH / 2, HEIGHT / 2 + 24);
  };
  draw();
  const timer = setInterval(draw, 1000 / FPS);
  return { canvas, stop: () => clearInterval(timer) };
}

function record(stream: MediaStream, seconds: number): Promise<Blob> {
  if (typeof MediaRecorder !== 'function') {
    return Promise.reject(new VeilError('MEDIA_UNSUPPORTED', { data: { reason: 'no MediaRecorder' } }));
  }
  return new Promise((resolve, reject) => {
    const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
    recorder.addEventListener('error', (event) => reject(new VeilError('MEDIA_LOAD_FAILED', { cause: event })));
    recorder.addEventListener('stop', () => resolve(new Blob(chunks, { type: 'video/webm' })));
    recorder.start();
    setTimeout(() => recorder.stop(), seconds * 1000);
  });
}

function metadataLoaded(media: HTMLVideoElement, timeoutMs = 10_000): Promise<void> {
  if (media.readyState >= HTMLMediaElement.HAVE_METADATA) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      clearTimeout(timer);
      media.removeEventListener('loadedmetadata', loaded);
      media.removeEventListener('error', failed);
      if (error) reject(error);
      else resolve();
    };
    const loaded = () => done();
    const failed = () => done(new VeilError('MEDIA_LOAD_FAILED', { cause: media.error }));
    const timer = setTimeout(() => done(new VeilError('MEDIA_LOAD_FAILED', { data: { reason: 'no metadata' } })), timeoutMs);
    media.addEventListener('loadedmetadata', loaded);
    media.addEventListener('error', failed);
  });
}

/**
 * An engine playing a silent audio clip of known length: seekable from the start, with a finite
 * duration (which a live canvas stream or a MediaRecorder clip lacks), for controls tests and
 * stories. No picture; quality and caption tracks as `canvasEngine`'s.
 */
export function silentClipEngine({ seconds = 60 }: { seconds?: number } = {}): EngineLoader {
  return async ({ media }) => {
    const url = URL.createObjectURL(silentWav(seconds));
    media.muted = true;
    media.src = url;
    try {
      await metadataLoaded(media);
    } catch (cause) {
      URL.revokeObjectURL(url);
      throw cause instanceof VeilError ? cause : new VeilError('MEDIA_LOAD_FAILED', { cause });
    }
    const tracks = storyTracks(media);
    return {
      ...tracks,
      async destroy() {
        tracks.destroy();
        media.removeAttribute('src');
        media.load();
        URL.revokeObjectURL(url);
      },
    };
  };
}

/** A mono 8 kHz 8-bit PCM WAV of silence. */
function silentWav(seconds: number): Blob {
  const rate = 8000;
  const samples = Math.round(seconds * rate);
  const header = new DataView(new ArrayBuffer(44));
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => header.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  header.setUint32(4, 36 + samples, true);
  ascii(8, 'WAVEfmt ');
  header.setUint32(16, 16, true); // fmt chunk size
  header.setUint16(20, 1, true); // PCM
  header.setUint16(22, 1, true); // mono
  header.setUint32(24, rate, true);
  header.setUint32(28, rate, true); // byte rate
  header.setUint16(32, 1, true); // block align
  header.setUint16(34, 8, true); // bits per sample
  ascii(36, 'data');
  header.setUint32(40, samples, true);
  return new Blob([header, new Uint8Array(samples).fill(128)], { type: 'audio/wav' });
}
