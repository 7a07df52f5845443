/**
 * One recorder from the perimeter check to a ready video: capture → chunk store → upload →
 * processing. The perimeter is checked before any device is asked for, so an outsider sees no
 * prompt and sends nothing. An unfinished recording of the same viewer (a reload, a closed tab)
 * is recovered when the recorder next sees them signed in: finished at its last persisted chunk
 * and uploaded by itself, with the same video id.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VeilSessionState } from '../identity/types.js';
import { sleep } from '../internal/backoff.js';
import { VeilError } from '../protocol/errors.js';
import { perimeterDenial } from '../identity/perimeter-check.js';
import { AUDIO_BITS_PER_SECOND, CaptureController, supportedMimeType, VIDEO_BITS_PER_SECOND, type PickedDevices, type RecordingSource } from './capture-controller.js';
import { ChunkStore } from './chunk-store.js';
import { UploadController } from './upload-controller.js';

export type RecorderState = 'signed-out' | 'denied' | 'idle' | 'countdown' | 'recording' | 'paused' | 'uploading' | 'processing' | 'ready' | 'error';

/** What the recorder tells its element besides the state. */
export type RecorderNotice = 'recovered' | 'restarted' | 'waiting-for-network' | 'network-back' | 'max-duration-warning';

export interface RecorderOptions {
  source(): RecordingSource;
  microphone(): boolean;
  /** The camera and microphone the viewer picked. */
  devices(): PickedDevices;
  countdown(): number;
  /** Seconds; recording stops by itself then (a warning a minute before). */
  maxDuration(): number;
  title(): string;
  onStateChange(state: RecorderState, error: VeilError | undefined): void;
  /** Set once per recording, while recording (or on recovery); changed only by a restarted upload. */
  onVideoId(videoId: string): void;
  /** The server lost the upload of `previousVideoId`: it starts again from the local chunks, as a new video. */
  onRestarted(previousVideoId: string, reason: VeilError): void;
  onReady(videoId: string): void;
  onNotice(notice: RecorderNotice): void;
  /** The live stream to preview while recording, or undefined. */
  onPreview(stream: MediaStream | undefined): void;
  /** What was recorded, for a local playback after stop (a Blob in the browser's blob storage), or undefined when a new recording starts. */
  onRecorded(recording: Blob | undefined): void;
  /** 0–100 while uploading (bytes) and processing (the job). */
  onProgress(percent: number): void;
  /** Seconds left while `countdown`. */
  onCountdown(seconds: number): void;
}

const PROCESSING_POLL_MS = 1500;

/** A failed job as the viewer's error: the quota is theirs to act on, so it is named; anything else is a processing failure. */
function processingFailure(videoId: string, code: string | undefined): VeilError {
  if (code === 'UPLOAD_QUOTA_EXCEEDED') return new VeilError('UPLOAD_QUOTA_EXCEEDED', { data: { videoId, limit: 'duration' } });
  return new VeilError('VIDEO_PROCESSING_FAILED', { data: { videoId, code } });
}
const WARNING_BEFORE_END_S = 60;
const CAPTURING: readonly RecorderState[] = ['countdown', 'recording', 'paused'];

export class RecorderController implements ReactiveController {
  readonly #options: RecorderOptions;
  readonly #store = new ChunkStore();
  readonly #capture: CaptureController;
  readonly #upload: UploadController;
  #session?: VeilSessionState;
  #state: RecorderState = 'signed-out';
  #error?: VeilError;
  #recordingId?: string;
  #videoId?: string;
  /** Chunks are persisted one after another, in order. */
  #persisting: Promise<unknown> = Promise.resolve();
  #timers: ReturnType<typeof setTimeout>[] = [];
  #run = new AbortController();

  constructor(host: ReactiveControllerHost, options: RecorderOptions) {
    this.#options = options;
    host.addController(this);
    this.#capture = new CaptureController(host, {
      onChunk: (data) => this.#persist(data),
      onStopped: (error) => void this.#finish(error),
    });
    this.#upload = new UploadController(host, this.#store, {
      client: () => this.#session?.client,
      onVideoId: (videoId) => this.#setVideoId(videoId),
      onRestarted: (previousVideoId, reason) => {
        this.#videoId = undefined;
        this.#options.onRestarted(previousVideoId, reason);
        this.#options.onNotice('restarted');
      },
      onProgress: (sent, total) => {
        if (this.#state === 'uploading' && total) this.#options.onProgress(Math.floor((sent / total) * 100));
      },
      onWaiting: (waiting) => this.#options.onNotice(waiting ? 'waiting-for-network' : 'network-back'),
      onAccepted: (videoId) => void this.#awaitProcessing(videoId),
      onError: (error) => this.#set('error', error),
    });
  }

  get state(): RecorderState {
    return this.#state;
  }

  get error(): VeilError | undefined {
    return this.#error;
  }

  get videoId(): string | undefined {
    return this.#videoId;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#run.abort();
    this.#clearTimers();
  }

  /** The session changed: signed out, denied by the perimeter, or ready (and recovering). */
  sessionChanged(session: VeilSessionState | undefined): void {
    const same = this.#session?.claims?.sub === session?.claims?.sub && this.#session?.status === session?.status;
    this.#session = session;
    if (same && this.#state !== 'signed-out') return;
    if (!session || session.status !== 'signed-in' || !session.claims) return this.#set(session?.status === 'error' ? 'error' : 'signed-out', session?.error);
    const denial = perimeterDenial(session);
    if (denial) return this.#set('denied', denial);
    if (this.#state === 'signed-out' || this.#state === 'denied') {
      this.#set('idle');
      void this.#recover(session);
    }
  }

  /** Countdown, then recording; resolves once recording has begun. */
  async start(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'ready' && this.#state !== 'error') {
      throw new VeilError('CONFIG_INVALID', { message: `The recorder cannot start while ${this.#state}.` });
    }
    const session = this.#session;
    if (!session?.claims) throw new VeilError('SIGN_IN_REQUIRED');
    const mimeType = supportedMimeType();
    if (!mimeType || typeof indexedDB === 'undefined') return this.#fail(new VeilError('CAPTURE_UNSUPPORTED'));
    try {
      await this.#checkFreeSpace();
      const stream = await this.#capture.open(this.#options.source(), this.#options.microphone(), this.#options.devices());
      this.#videoId = undefined;
      this.#options.onRecorded(undefined);
      this.#options.onPreview(stream);
      await this.#countdown();
      const recording = await this.#store.create({
        id: crypto.randomUUID(),
        owner: session.claims.sub,
        api: session.api,
        mimeType,
        title: this.#options.title(),
        startedAt: Date.now(),
      });
      this.#recordingId = recording.id;
      this.#persisting = Promise.resolve();
      this.#capture.start();
      this.#set('recording');
      this.#scheduleMaxDuration();
      this.#upload.start(recording.id);
    } catch (error) {
      this.#capture.release();
      this.#options.onPreview(undefined);
      this.#fail(error instanceof VeilError ? error : new VeilError('CAPTURE_FAILED', { cause: error }));
    }
  }

  stop(): void {
    if (this.#state === 'recording' || this.#state === 'paused') this.#capture.stop();
    else if (this.#state === 'countdown') this.#capture.release();
  }

  pause(): void {
    if (this.#state !== 'recording') return;
    this.#capture.pause();
    this.#set('paused');
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#capture.resume();
    this.#set('recording');
  }

  #fail(error: VeilError): never {
    this.#set('error', error);
    throw error;
  }

  async #checkFreeSpace(): Promise<void> {
    await navigator.storage?.persist?.().catch(() => false);
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    if (!estimate?.quota) return;
    const needed = ((VIDEO_BITS_PER_SECOND + AUDIO_BITS_PER_SECOND) / 8) * this.#options.maxDuration();
    const free = estimate.quota - (estimate.usage ?? 0);
    if (free < needed) throw new VeilError('CAPTURE_QUOTA_EXCEEDED', { data: { free, needed } });
  }

  async #countdown(): Promise<void> {
    const seconds = Math.max(0, Math.floor(this.#options.countdown()));
    if (seconds === 0) return;
    this.#set('countdown');
    for (let left = seconds; left > 0; left--) {
      this.#options.onCountdown(left);
      await sleep(1000, this.#run.signal);
      if (!this.#capture.stream) throw new VeilError('CAPTURE_FAILED', { message: 'Recording was cancelled during the countdown.' });
    }
  }

  #scheduleMaxDuration(): void {
    const max = this.#options.maxDuration();
    this.#clearTimers();
    if (max > WARNING_BEFORE_END_S) this.#timers.push(setTimeout(() => this.#options.onNotice('max-duration-warning'), (max - WARNING_BEFORE_END_S) * 1000));
    this.#timers.push(setTimeout(() => this.stop(), max * 1000));
  }

  #clearTimers(): void {
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
  }

  /**
   * Every chunk reaches IndexedDB before the upload may send it. Its bytes are read at once,
   * beside the previous chunk's write (the writes stay in order): on a loaded machine a chunk no
   * longer waits for that write before its own read starts, which shortens what an unload can
   * catch in flight (decisions.md, "Recorder: what a reload loses").
   */
  #persist(data: Blob): void {
    const id = this.#recordingId;
    if (!id) return;
    const bytes = data.arrayBuffer();
    // Its failure surfaces below, in order; this only keeps it from being reported as unhandled meanwhile.
    bytes.catch(() => undefined);
    this.#persisting = this.#persisting
      .then(async () => this.#store.append(id, await bytes))
      .then(() => this.#upload.notify())
      .catch((error: unknown) => this.#set('error', new VeilError('CAPTURE_FAILED', { message: 'A chunk could not be saved on this device.', cause: error })));
  }

  /** Recording ended: the final length is what was persisted; the upload finishes by itself. */
  async #finish(error?: VeilError): Promise<void> {
    this.#clearTimers();
    this.#options.onPreview(undefined);
    const id = this.#recordingId;
    if (!id) return;
    await this.#persisting;
    const recording = await this.#store.get(id);
    if (!recording) return;
    await this.#store.update(id, { finalLength: recording.bytes });
    // A recorder that failed mid-way still uploads what it persisted.
    if (error) console.warn('veil-recorder: recording ended early', error);
    // Read before the upload can finish and delete the chunks, but beside it, never in front of it.
    const recorded = recording.bytes ? this.#store.blob(id, recording.mimeType).catch(() => undefined) : undefined;
    this.#set('uploading');
    this.#options.onProgress(0);
    this.#upload.notify();
    const blob = await recorded;
    // A new recording may have begun meanwhile: its own preview must not be replaced.
    if (blob && !CAPTURING.includes(this.#state)) this.#options.onRecorded(blob);
  }

  /** An unfinished recording of this viewer: end it at its last chunk and upload the rest. */
  async #recover(session: VeilSessionState): Promise<void> {
    const [recording] = await this.#store.unfinished(session.claims!.sub, session.api);
    if (!recording || this.#state !== 'idle') return;
    if (recording.finalLength === undefined) await this.#store.update(recording.id, { finalLength: recording.bytes });
    this.#recordingId = recording.id;
    if (recording.upload) this.#setVideoId(recording.upload.videoId);
    this.#options.onNotice('recovered');
    this.#set('uploading');
    this.#upload.start(recording.id, { recovered: true });
  }

  #setVideoId(videoId: string): void {
    if (this.#videoId) return;
    this.#videoId = videoId;
    this.#options.onVideoId(videoId);
  }

  async #awaitProcessing(videoId: string): Promise<void> {
    this.#recordingId = undefined;
    this.#set('processing');
    const signal = this.#run.signal;
    while (!signal.aborted) {
      const status = await this.#session?.client.videoStatus(videoId, signal).catch(() => undefined);
      if (status?.status === 'ready') {
        this.#set('ready');
        this.#options.onReady(videoId);
        return;
      }
      if (status?.status === 'failed') return this.#set('error', processingFailure(videoId, status.processing?.code));
      if (status?.processing) this.#options.onProgress(status.processing.progress);
      await sleep(PROCESSING_POLL_MS, signal).catch(() => undefined);
    }
  }

  #set(state: RecorderState, error?: VeilError): void {
    this.#state = state;
    this.#error = error;
    this.#options.onStateChange(state, error);
  }
}
