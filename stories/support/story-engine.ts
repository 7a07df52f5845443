/**
 * Engines for stories (through the player's `engineLoader`): real media on the real `<video>`,
 * with no network. The picture is an animated canvas — live through `captureStream()`, or recorded
 * into a short WebM clip (a live MediaStream never ends in Chromium, a clip does).
 */
import type { Engine, EngineOptions } from '../../src/playback/engines/engine.js';
import { VeilError } from '../../src/errors.js';

export type EngineLoader = (options: EngineOptions) => Promise<Engine>;

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
}

/** An engine playing an animated test picture: no manifest, no segments, no keys. */
export function canvasEngine({ clipSeconds }: CanvasEngineOptions = {}): EngineLoader {
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
    return {
      async destroy() {
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
