/**
 * `camera+screen`: the camera as a round bubble in the corner of the screen picture, as one video
 * track for the MediaRecorder. Frames come from `MediaStreamTrackProcessor` and leave through a
 * `MediaStreamTrackGenerator` (Chromium's insertable streams), drawn on an `OffscreenCanvas`: no
 * `requestAnimationFrame` and no timers, which a hidden tab throttles to ~1 fps. The camera's
 * frames pace the output (a screen capture only delivers a frame when the screen changes); the
 * latest screen frame is kept and drawn under each one.
 */

interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
interface TrackGenerator extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame>;
}
interface InsertableStreams {
  MediaStreamTrackProcessor?: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;
  MediaStreamTrackGenerator?: new (init: { kind: 'video' }) => TrackGenerator;
}

/** The bubble's diameter as a share of the picture's shorter side, and its margin from the corner. */
const BUBBLE_SHARE = 0.28;
const MARGIN_SHARE = 0.03;
/**
 * The composite is at most 720p: the recorder's video bitrate (2.5 Mbit/s) is a 720p bitrate, and
 * a full-HD or larger screen drawn and encoded at 30 fps on the main thread's budget drops frames
 * on a busy machine (measured: 11 fps at load ~30 for a 1080p picture).
 */
const MAX_WIDTH = 1280;
const MAX_HEIGHT = 720;

/** The screen's size scaled down (never up) to fit 720p, in even pixels as encoders want. */
export function compositeSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  const even = (value: number) => Math.max(2, Math.floor((value * scale) / 2) * 2);
  return { width: even(width), height: even(height) };
}

/** True where the composite can be drawn without timers (Chromium's insertable streams). */
export function canComposite(): boolean {
  const streams = globalThis as InsertableStreams;
  return typeof streams.MediaStreamTrackProcessor === 'function' && typeof streams.MediaStreamTrackGenerator === 'function' && typeof OffscreenCanvas === 'function';
}

export class Compositor {
  /** The composite video track. */
  readonly track: MediaStreamTrack;
  /** Frames written to `track` so far. */
  frames = 0;
  readonly #writer: WritableStreamDefaultWriter<VideoFrame>;
  readonly #readers: ReadableStreamDefaultReader<VideoFrame>[] = [];
  #screen?: VideoFrame;
  #canvas?: OffscreenCanvas;
  #stopped = false;

  constructor(screen: MediaStreamTrack, camera: MediaStreamTrack) {
    const { MediaStreamTrackProcessor: Processor, MediaStreamTrackGenerator: Generator } = globalThis as InsertableStreams;
    if (!Processor || !Generator) throw new Error('compositor: insertable streams are not available');
    const generator = new Generator({ kind: 'video' });
    this.track = generator;
    this.#writer = generator.writable.getWriter();
    const screenReader = new Processor({ track: screen, maxBufferSize: 1 }).readable.getReader();
    const cameraReader = new Processor({ track: camera, maxBufferSize: 2 }).readable.getReader();
    this.#readers.push(screenReader, cameraReader);
    void this.#keepScreen(screenReader).catch(() => this.stop());
    void this.#compose(cameraReader).catch(() => this.stop());
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const reader of this.#readers) void reader.cancel().catch(() => undefined);
    this.#screen?.close();
    this.#screen = undefined;
    void this.#writer.close().catch(() => undefined);
    this.track.stop();
  }

  async #keepScreen(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.#stopped) return value?.close();
      this.#screen?.close();
      this.#screen = value;
    }
  }

  async #compose(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    for (;;) {
      const { value: camera, done } = await reader.read();
      if (done || this.#stopped) return camera?.close();
      const frame = this.#draw(camera);
      camera.close();
      // The generator takes the frame (and closes it); waiting for it is the back-pressure.
      if (frame) await this.#writer.write(frame);
      if (frame) this.frames += 1;
    }
  }

  /** The screen with the camera's bubble, timed as the camera frame; undefined before the first screen frame. */
  #draw(camera: VideoFrame): VideoFrame | undefined {
    const screen = this.#screen;
    if (!screen) return undefined;
    // The picture keeps the first screen frame's size: a recording's frame size does not change.
    if (!this.#canvas) {
      const size = compositeSize(screen.displayWidth, screen.displayHeight);
      this.#canvas = new OffscreenCanvas(size.width, size.height);
    }
    const canvas = this.#canvas;
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    const { width, height } = canvas;
    context.drawImage(screen, 0, 0, width, height);
    const diameter = Math.round(Math.min(width, height) * BUBBLE_SHARE);
    const margin = Math.round(Math.min(width, height) * MARGIN_SHARE);
    const x = width - diameter - margin;
    const y = height - diameter - margin;
    // The middle square of the camera picture, clipped to a circle.
    const side = Math.min(camera.displayWidth, camera.displayHeight);
    context.save();
    context.beginPath();
    context.arc(x + diameter / 2, y + diameter / 2, diameter / 2, 0, Math.PI * 2);
    context.clip();
    context.drawImage(camera, (camera.displayWidth - side) / 2, (camera.displayHeight - side) / 2, side, side, x, y, diameter, diameter);
    context.restore();
    return new VideoFrame(canvas, { timestamp: camera.timestamp });
  }
}
