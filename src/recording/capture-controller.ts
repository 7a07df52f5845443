/**
 * Capture: the camera, the screen, or the screen with the camera as a bubble over it (composited,
 * see `compositor.ts`; the screen alone where the browser cannot composite without timers),
 * recorded by a MediaRecorder in ~1 s chunks. H.264 in fragmented MP4 is preferred, with a keyframe every
 * second (`videoKeyFrameIntervalDuration`) so that fragments, and therefore chunks, are about a
 * second long and the server can remux without re-encoding; Matroska/WebM otherwise (the server
 * transcodes). Audio is Opus: Chromium has no AAC encoder. Chunks leave through `onChunk` in
 * order; nothing is kept here.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VeilError } from '../protocol/errors.js';
import { canComposite, Compositor } from './compositor.js';
import { deviceConstraint } from './devices.js';

export type RecordingSource = 'camera' | 'screen' | 'camera+screen';

export const RECORDING_SOURCES: readonly RecordingSource[] = ['camera', 'screen', 'camera+screen'];

/** MediaRecorder's timeslice: every persisted chunk is at most this much recording. */
export const TIMESLICE_MS = 1000;
export const VIDEO_BITS_PER_SECOND = 2_500_000;
export const AUDIO_BITS_PER_SECOND = 128_000;

const MIME_TYPES = ['video/mp4;codecs=avc1,opus', 'video/webm;codecs=vp9,opus', 'video/webm;codecs=vp8,opus', 'video/webm'];

/** The picked camera and microphone (`deviceId`s); the browser's default where unset. */
export interface PickedDevices {
  camera?: string;
  microphone?: string;
}

export interface CaptureCallbacks {
  /** One recorded chunk, in order. */
  onChunk(data: Blob): void;
  /** The recorder stopped (by `stop()`, a track ending, or an error); every chunk was delivered. */
  onStopped(error?: VeilError): void;
}

export function supportedMimeType(): string | undefined {
  if (typeof MediaRecorder === 'undefined') return undefined;
  return MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
}

export class CaptureController implements ReactiveController {
  readonly #callbacks: CaptureCallbacks;
  #stream?: MediaStream;
  /** The devices' own tracks (the recorded stream may hold a composite of them instead). */
  #sources: MediaStreamTrack[] = [];
  #compositor?: Compositor;
  #recorder?: MediaRecorder;

  constructor(host: ReactiveControllerHost, callbacks: CaptureCallbacks) {
    this.#callbacks = callbacks;
    host.addController(this);
  }

  get stream(): MediaStream | undefined {
    return this.#stream;
  }

  get mimeType(): string {
    return this.#recorder?.mimeType || supportedMimeType() || '';
  }

  hostDisconnected(): void {
    this.release();
  }

  /** Asks for the devices (the browser's prompt); `CAPTURE_PERMISSION_DENIED` when refused. */
  async open(source: RecordingSource, microphone: boolean, picked: PickedDevices = {}): Promise<MediaStream> {
    this.release();
    try {
      const devices = navigator.mediaDevices;
      const audio = microphone && deviceConstraint(picked.microphone);
      if (source === 'camera') {
        this.#sources = (await devices.getUserMedia({ video: deviceConstraint(picked.camera, { width: 1280, height: 720 }), audio })).getTracks();
        this.#stream = new MediaStream(this.#sources);
        return this.#stream;
      }
      const [screen] = (await devices.getDisplayMedia({ video: true, audio: false, preferCurrentTab: true } as DisplayMediaStreamOptions)).getVideoTracks();
      this.#sources = screen ? [screen] : [];
      const bubble = source === 'camera+screen' && canComposite();
      const others = bubble || microphone ? (await devices.getUserMedia({ video: bubble && deviceConstraint(picked.camera, { width: 640, height: 480 }), audio })).getTracks() : [];
      this.#sources.push(...others);
      const camera = others.find((track) => track.kind === 'video');
      if (camera && screen) this.#compositor = new Compositor(screen, camera);
      const video = this.#compositor?.track ?? screen;
      this.#stream = new MediaStream([...(video ? [video] : []), ...others.filter((track) => track.kind === 'audio')]);
      return this.#stream;
    } catch (cause) {
      this.release();
      const denied = cause instanceof DOMException && (cause.name === 'NotAllowedError' || cause.name === 'SecurityError');
      throw new VeilError(denied ? 'CAPTURE_PERMISSION_DENIED' : 'CAPTURE_UNSUPPORTED', { cause });
    }
  }

  /** Starts recording the opened stream. */
  start(): void {
    const stream = this.#stream;
    const mimeType = supportedMimeType();
    if (!stream || !mimeType) throw new VeilError('CAPTURE_UNSUPPORTED');
    // `videoKeyFrameIntervalDuration` is Chromium's (not in the DOM typings yet).
    const options = { mimeType, videoBitsPerSecond: VIDEO_BITS_PER_SECOND, audioBitsPerSecond: AUDIO_BITS_PER_SECOND, videoKeyFrameIntervalDuration: TIMESLICE_MS };
    const recorder = (this.#recorder = new MediaRecorder(stream, options as MediaRecorderOptions));
    let failure: VeilError | undefined;
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size > 0) this.#callbacks.onChunk(event.data);
    });
    recorder.addEventListener('error', (event) => {
      failure = new VeilError('CAPTURE_FAILED', { cause: (event as ErrorEvent).error ?? event });
    });
    recorder.addEventListener('stop', () => {
      this.release();
      this.#callbacks.onStopped(failure);
    });
    // The viewer ending a screen share (or unplugging the camera) ends the recording.
    for (const track of this.#sources) if (track.kind === 'video') track.addEventListener('ended', () => this.stop());
    recorder.start(TIMESLICE_MS);
  }

  pause(): void {
    if (this.#recorder?.state === 'recording') this.#recorder.pause();
  }

  resume(): void {
    if (this.#recorder?.state === 'paused') this.#recorder.resume();
  }

  /** Stops recording; the last chunk and then `onStopped` follow. */
  stop(): void {
    if (this.#recorder && this.#recorder.state !== 'inactive') this.#recorder.stop();
    else this.release();
  }

  /** Releases the devices (the camera light goes off). */
  release(): void {
    this.#compositor?.stop();
    this.#compositor = undefined;
    for (const track of this.#sources) track.stop();
    this.#sources = [];
    this.#stream = undefined;
  }
}
