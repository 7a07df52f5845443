/**
 * The processing queue's workers. Jobs are rows in storage (`RecordingRepository`), so the queue
 * survives a restart: jobs a stopped process left half-done are queued again on start. One
 * worker by default (ffmpeg uses every core it gets); `workers` for more.
 */
import type { ProcessingJob, RecordingRepository } from '../../storage/recordings.js';

export interface ProcessingQueueOptions {
  recordings: RecordingRepository;
  process(job: ProcessingJob): Promise<void>;
  workers?: number;
  /** How often an idle worker looks for jobs another replica queued (ms); default 2000. */
  pollMs?: number;
  log?: (error: unknown) => void;
}

export class ProcessingQueue {
  readonly #options: ProcessingQueueOptions;
  #running = false;
  #workers: Promise<void>[] = [];
  #wake: Array<() => void> = [];

  constructor(options: ProcessingQueueOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#options.recordings.requeueInterrupted();
    this.#workers = Array.from({ length: Math.max(1, this.#options.workers ?? 1) }, () => this.#work());
  }

  /** A job was queued: wake an idle worker now rather than at its next poll. */
  kick(): void {
    this.#wake.shift()?.();
  }

  /** Lets running jobs finish, then stops. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const wake of this.#wake.splice(0)) wake();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    while (this.#running) {
      let job: ProcessingJob | undefined;
      try {
        job = await this.#options.recordings.claimNextJob();
        if (job) await this.#options.process(job);
      } catch (error) {
        (this.#options.log ?? console.error)(error);
      }
      if (!job && this.#running) await this.#idle();
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.pollMs ?? 2000);
      const wake = this.#wake;
      function done() {
        clearTimeout(timer);
        const index = wake.indexOf(done);
        if (index >= 0) wake.splice(index, 1);
        resolve();
      }
      wake.push(done);
    });
  }
}
