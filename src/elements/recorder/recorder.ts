import { consume } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { RECORDER_STRINGS, type RecorderStringKey } from '../../i18n/recorder.js';
import { StringsController } from '../../i18n/strings-controller.js';
import { sessionContext } from '../../identity/context.js';
import type { VeilSessionState } from '../../identity/types.js';
import { capture } from '../../internal/capture.js';
import { emitVeilError, emitVeilEvent } from '../../internal/emit.js';
import type { VeilError } from '../../protocol/errors.js';
import { DEFAULT_MAX_RECORDING_SECONDS } from '../../protocol/recording.js';
import { RECORDING_SOURCES, type RecordingSource } from '../../recording/capture-controller.js';
import { listDevices, type DeviceChoice, type DeviceChoices } from '../../recording/devices.js';
import { LevelMeter } from '../../recording/level-meter.js';
import { RecorderController, type RecorderNotice, type RecorderState } from '../../recording/recorder-controller.js';
import { recorderStyles } from './recorder.styles.js';

const NOTICES: Record<RecorderNotice, RecorderStringKey> = {
  recovered: 'recorderRecovered',
  restarted: 'recorderRestarted',
  'waiting-for-network': 'recorderWaitingForNetwork',
  'network-back': 'recorderNetworkBack',
  'max-duration-warning': 'recorderMaxDurationWarning',
};

/**
 * @summary Records the camera, the screen, or both, for the signed-in viewer of the enclosing
 * `<veil-session>`, and turns the recording into a protected video only they can watch until they
 * share it. Every ~1 s chunk is saved in IndexedDB before it is uploaded (tus 1.0, resumable), so
 * a dropped network or a reload loses nothing: an unfinished recording is recovered and uploaded
 * the next time the same viewer opens a recorder. A viewer outside the perimeter gets
 * `state="denied"` before any camera prompt.
 *
 * @attr {'signed-out' | 'denied' | 'idle' | 'countdown' | 'recording' | 'paused' | 'uploading' | 'processing' | 'ready' | 'error'} state -
 *   Reflected, read-only: where the recorder is (the `state` property).
 * @attr {string} error-code - Reflected, read-only: the `VeilError` code behind `denied` or `error`.
 * @attr {string} video-id - Reflected, read-only: the video the recording becomes, set while recording (or on recovery); it changes only when the server lost the upload and it restarted (`veil-upload-restarted`).
 *
 * @fires veil-recording-ready - The recording is a ready video (also after a recovered recording). `detail: { videoId }`.
 * @fires veil-upload-restarted - The server no longer had the upload (expired, removed) or held other bytes: it is sent again from this device as a new video. `detail: { previousVideoId, code }`.
 * @fires veil-error - Capture, upload or processing failed, or the viewer is outside the perimeter. `detail` is a `VeilError`.
 *
 * @csspart preview - The live preview while recording.
 * @csspart playback - After stop, the recording played back from this device (with the browser's controls) while it uploads and after.
 * @csspart controls - The buttons and pickers (source, camera, microphone, title).
 * @csspart level - The live microphone level meter while capturing.
 * @csspart progress - The progress bar while uploading and processing.
 *
 * @cssproperty --veil-background - Background of the preview.
 * @cssproperty --veil-color - Text colour.
 * @cssproperty --veil-font - Font.
 * @cssproperty --veil-focus-color - Focus ring colour.
 * @cssproperty --veil-button-background - Background of the buttons.
 * @cssproperty --veil-button-color - Text colour of the buttons.
 */
export class VeilRecorder extends LitElement {
  static override styles = recorderStyles;

  /** What to record: `camera`, `screen` or `camera+screen`. */
  @property({ reflect: true }) source: RecordingSource = 'camera';
  /** Seconds of countdown before recording starts; 0 to skip. */
  @property({ type: Number }) countdown = 3;
  /** Longest recording in seconds (default 3600); it stops by itself, with a warning a minute before. */
  @property({ type: Number, attribute: 'max-duration' }) maxDuration = DEFAULT_MAX_RECORDING_SECONDS;
  /** Record the microphone too (default on; `no-microphone` turns it off). */
  @property({ type: Boolean, attribute: 'no-microphone' }) noMicrophone = false;

  @consume({ context: sessionContext, subscribe: true })
  @state()
  protected session: VeilSessionState | undefined;

  @state() private announcement = '';
  @state() private progress = 0;
  @state() private countdownLeft = 0;
  @state() private recordingTitle = '';
  @state() private devices: DeviceChoices = { cameras: [], microphones: [] };
  @state() private cameraId = '';
  @state() private microphoneId = '';
  @state() private level = 0;
  /** Object URL of the last recording, for the playback after stop; revoked when replaced or disconnected. */
  @state() private playbackUrl?: string;
  #preview?: HTMLVideoElement;
  #stream?: MediaStream;
  #meter?: LevelMeter;
  readonly #devicesChanged = () => void this.#listDevices();

  readonly #strings = new StringsController(this, RECORDER_STRINGS);
  readonly #recorder = new RecorderController(this, {
    source: () => (RECORDING_SOURCES.includes(this.source) ? this.source : 'camera'),
    microphone: () => !this.noMicrophone,
    devices: () => ({ camera: this.cameraId || undefined, microphone: this.microphoneId || undefined }),
    countdown: () => (Number.isFinite(this.countdown) ? this.countdown : 3),
    maxDuration: () => (this.maxDuration > 0 ? this.maxDuration : DEFAULT_MAX_RECORDING_SECONDS),
    title: () => this.recordingTitle,
    onStateChange: (state, error) => this.#stateChanged(state, error),
    onVideoId: (videoId) => this.setAttribute('video-id', videoId),
    onReady: (videoId) => emitVeilEvent(this, 'veil-recording-ready', { videoId }),
    onRestarted: (previousVideoId, reason) => emitVeilEvent(this, 'veil-upload-restarted', { previousVideoId, code: reason.code }),
    onNotice: (notice) => this.#announce(this.#strings.t(NOTICES[notice])),
    onPreview: (stream) => {
      this.#stream = stream;
      if (this.#preview) this.#preview.srcObject = stream ?? null;
      this.#meter?.stop();
      this.#meter = stream?.getAudioTracks().length ? new LevelMeter(stream, (level) => (this.level = level)) : undefined;
      this.level = 0;
      // Allowed once, the devices have labels: list them again.
      if (stream) void this.#listDevices();
    },
    onRecorded: (recording) => this.#setPlayback(recording),
    onProgress: (percent) => (this.progress = percent),
    onCountdown: (seconds) => (this.countdownLeft = seconds),
  });

  /** One of the contract's states; reflected as `state`. */
  get state(): RecorderState {
    return this.#recorder.state;
  }

  /** The error behind `denied` or `error`; its code is reflected as `error-code`. */
  get error(): VeilError | undefined {
    return this.#recorder.error;
  }

  /** The video the recording becomes (set while recording). */
  get videoId(): string | undefined {
    return this.#recorder.videoId;
  }

  /** Asks for the devices, counts down, and resolves once recording has begun. */
  start(): Promise<void> {
    return this.#recorder.start();
  }

  /** Stops recording; the upload finishes by itself. */
  stop(): void {
    this.#recorder.stop();
  }

  pause(): void {
    this.#recorder.pause();
  }

  resume(): void {
    this.#recorder.resume();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#devicesChanged);
    this.setAttribute('state', this.state);
    if (!this.hasAttribute('role')) this.setAttribute('role', 'group');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', this.#strings.t('recorder'));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#devicesChanged);
    this.#meter?.stop();
    this.#meter = undefined;
    this.#setPlayback(undefined);
  }

  #setPlayback(recording: Blob | undefined): void {
    if (this.playbackUrl) URL.revokeObjectURL(this.playbackUrl);
    this.playbackUrl = recording ? URL.createObjectURL(recording) : undefined;
  }

  /** Lists the pickers' devices, only once the viewer passed the perimeter (nothing is asked of an outsider's browser). */
  async #listDevices(): Promise<void> {
    if (this.state === 'signed-out' || this.state === 'denied') return;
    const t = this.#strings.t.bind(this.#strings);
    this.devices = await listDevices((kind, index) => t(kind === 'camera' ? 'recorderCameraNumber' : 'recorderMicrophoneNumber', { index }));
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('session')) this.#recorder.sessionChanged(this.session);
  }

  #stateChanged(state: RecorderState, error: VeilError | undefined): void {
    this.setAttribute('state', state);
    if (error) this.setAttribute('error-code', error.code);
    else this.removeAttribute('error-code');
    if (error) emitVeilError(this, error);
    const said: Partial<Record<RecorderState, RecorderStringKey>> = { recording: 'recorderRecording', paused: 'recorderPaused', ready: 'recorderReady' };
    if (said[state]) this.#announce(this.#strings.t(said[state]));
    if (state === 'idle') void this.#listDevices();
    this.requestUpdate();
  }

  #announce(text: string): void {
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }

  protected override render() {
    const state = this.state;
    const t = this.#strings.t.bind(this.#strings);
    const capturing = state === 'countdown' || state === 'recording' || state === 'paused';
    return html`
      <video
        ${capture((element) => {
          this.#preview = element as HTMLVideoElement;
          // Assigning the same stream again would restart the preview.
          if (this.#preview.srcObject !== (this.#stream ?? null)) this.#preview.srcObject = this.#stream ?? null;
        })}
        part="preview"
        class="preview"
        muted
        autoplay
        playsinline
        ?hidden=${!capturing}
      ></video>
      ${this.playbackUrl && !capturing
        ? html`<video part="playback" class="preview" controls playsinline preload="metadata" src=${this.playbackUrl} aria-label=${t('recorderPlayback')}></video>`
        : nothing}
      <meter part="level" class="level" min="0" max="1" .value=${this.level} aria-label=${t('recorderLevel')} ?hidden=${!capturing || this.noMicrophone}></meter>
      <div part="controls" class="controls">${this.#controls(state)}</div>
      <p role="status">${this.#status(state)}</p>
      <progress part="progress" max="100" .value=${this.progress} ?hidden=${state !== 'uploading' && state !== 'processing'} aria-label=${t('recorderProgress')}></progress>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    `;
  }

  #controls(state: RecorderState) {
    const t = this.#strings.t.bind(this.#strings);
    switch (state) {
      case 'signed-out':
        return html`<button type="button" @click=${() => this.session?.signIn()} ?disabled=${!this.session}>${t('recorderSignInButton')}</button>`;
      case 'idle':
      case 'ready':
      case 'error':
        if (this.error?.code === 'PERIMETER_DENIED') return nothing;
        return html`
          <label>${t('recorderSource')}
            <select @change=${(event: Event) => (this.source = (event.target as HTMLSelectElement).value as RecordingSource)}>
              <option value="camera" ?selected=${this.source === 'camera'}>${t('recorderSourceCamera')}</option>
              <option value="screen" ?selected=${this.source === 'screen'}>${t('recorderSourceScreen')}</option>
              <option value="camera+screen" ?selected=${this.source === 'camera+screen'}>${t('recorderSourceBoth')}</option>
            </select>
          </label>
          ${this.source === 'screen' ? nothing : this.#picker(t('recorderCamera'), this.devices.cameras, this.cameraId, (id) => (this.cameraId = id))}
          <label><input type="checkbox" .checked=${!this.noMicrophone} @change=${(event: Event) => (this.noMicrophone = !(event.target as HTMLInputElement).checked)} />${t('recorderMicrophone')}</label>
          ${this.noMicrophone ? nothing : this.#picker(t('recorderMicrophoneDevice'), this.devices.microphones, this.microphoneId, (id) => (this.microphoneId = id))}
          <label>${t('recorderTitle')} <input type="text" maxlength="200" .value=${this.recordingTitle} @input=${(event: Event) => (this.recordingTitle = (event.target as HTMLInputElement).value)} /></label>
          <button type="button" data-action="start" @click=${() => this.start().catch(() => undefined)}>${state === 'idle' ? t('recorderStart') : t('recorderRecordAgain')}</button>
        `;
      case 'recording':
        return html`<button type="button" data-action="pause" @click=${() => this.pause()}>${t('recorderPause')}</button>
          <button type="button" data-action="stop" @click=${() => this.stop()}>${t('recorderStop')}</button>`;
      case 'paused':
        return html`<button type="button" data-action="resume" @click=${() => this.resume()}>${t('recorderResume')}</button>
          <button type="button" data-action="stop" @click=${() => this.stop()}>${t('recorderStop')}</button>`;
      case 'countdown':
        return html`<button type="button" data-action="stop" @click=${() => this.stop()}>${t('recorderStop')}</button>`;
      default:
        return nothing;
    }
  }

  /** A device picker; "default" leaves the choice to the browser. Hidden while there is nothing to choose. */
  #picker(label: string, choices: DeviceChoice[], selected: string, pick: (deviceId: string) => void) {
    if (choices.length < 2) return nothing;
    return html`<label>${label}
      <select @change=${(event: Event) => pick((event.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${selected === ''}>${this.#strings.t('recorderDefaultDevice')}</option>
        ${choices.map((choice) => html`<option value=${choice.deviceId} ?selected=${choice.deviceId === selected}>${choice.label}</option>`)}
      </select>
    </label>`;
  }

  #status(state: RecorderState) {
    const t = this.#strings.t.bind(this.#strings);
    switch (state) {
      case 'signed-out':
        return t('recorderSignIn');
      case 'denied':
      case 'error':
        return this.error ? this.#strings.errorMessage(this.error) : '';
      case 'countdown':
        return t('recorderCountdown', { seconds: this.countdownLeft });
      case 'recording':
        return t('recorderRecording');
      case 'paused':
        return t('recorderPaused');
      case 'uploading':
        return t('recorderUploading', { percent: this.progress });
      case 'processing':
        return t('recorderProcessing', { percent: this.progress });
      case 'ready':
        return t('recorderReady');
      default:
        return '';
    }
  }
}
