/**
 * The live microphone level (0–1) while capturing: an `AnalyserNode` on the stream's audio,
 * sampled at most ~10 times a second. It runs on `requestAnimationFrame`, so it rests in a hidden
 * tab, where nobody sees it (the recording does not depend on it).
 */

const UPDATE_MS = 100;

export class LevelMeter {
  readonly #context: AudioContext;
  #frame = 0;

  /** Reports the level of `stream`'s first audio track through `onLevel` until `stop()`. */
  constructor(stream: MediaStream, onLevel: (level: number) => void) {
    this.#context = new AudioContext();
    // A context made outside a user gesture may start suspended; the meter only reads, never plays.
    void this.#context.resume().catch(() => undefined);
    const analyser = this.#context.createAnalyser();
    analyser.fftSize = 512;
    this.#context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let last = 0;
    const tick = (now: number) => {
      this.#frame = requestAnimationFrame(tick);
      if (now - last < UPDATE_MS) return;
      last = now;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      // RMS on a dB scale from -60 dB (silence) to 0 dB (full scale).
      const db = 20 * Math.log10(Math.sqrt(sum / samples.length) || 1e-6);
      onLevel(Math.min(1, Math.max(0, (db + 60) / 60)));
    };
    this.#frame = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.#frame);
    void this.#context.close().catch(() => undefined);
  }
}
