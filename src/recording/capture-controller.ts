/**
 * Capture: the camera, the screen, or the screen with the camera's microphone, recorded by a
 * MediaRecorder in ~1 s chunks. H.264 in fragmented MP4 is preferred, with a keyframe every
 * second (`videoKeyFrameIntervalDuration`) so that fragments, and therefore chunks, are about a
 * second long and the server can remux without re-encoding; Matroska/WebM otherwise (the server
 * transcodes). Audio is Opus: Chromium has no AAC encoder. Chunks leave through `onChunk` in
 * order; nothing is kept here.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VeilError } from '../protocol/errors.js';

export type RecordingSource = 'camera' | 'screen' | 'camera+screen';

export const RECORDING_SOURCES: readonly RecordingSource[] = ['camera', 'screen', 'camera+screen'];

/** MediaRecorder's timeslice: every persisted chunk is at most this much recording. */
export const TIMESLICE_MS = 1000;
export const VIDEO_BITS_PER_SECOND = 2_500_000;
export const AUDIO_BITS_PER_SECOND = 128_000;

const MIME_TYPES = ['video/mp4;codecs=avc1,opus', 'video/webm;codecs=vp9,opus', 'video/webm;codecs=vp8,opus', 'video/webm'];

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
  async open(source: RecordingSource, microphone: boolean): Promise<MediaStream> {
    this.release();
    try {
      const tracks: MediaStreamTrack[] = [];
      if (source === 'camera') {
        const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: microphone });
        tracks.push(...camera.getTracks());
      } else {
        const screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false, preferCurrentTab: true } as DisplayMediaStreamOptions);
        tracks.push(...screen.getVideoTracks());
        if (microphone) tracks.push(...(await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks());
      }
      this.#stream = new MediaStream(tracks);
      return this.#stream;
    } catch (cause) {
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
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => this.stop());
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
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = undefined;
  }
}
