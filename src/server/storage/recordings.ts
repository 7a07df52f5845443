/**
 * The recordings aggregate: tus uploads (who owns them, how far they got) and the processing
 * jobs that turn a finished upload into a protected video. Jobs live in storage so that a
 * restarted service resumes them.
 */
import type { ProcessingState } from '../../protocol/recording.js';

export interface UploadRecord {
  /** The tus upload id; also the id of the video it becomes. */
  id: string;
  owner: string;
  org: string;
  /** Bytes the server holds so far. */
  received: number;
  /** Set once the final PATCH was accepted. */
  finishedAt: number | null;
  createdAt: number;
  /** Length of the processed recording (seconds), for the duration quota; null until processed. */
  durationSeconds: number | null;
}

export interface ProcessingJob {
  videoId: string;
  uploadId: string;
  state: ProcessingState;
  /** 0–100 within the whole job. */
  progress: number;
  /** Error code of a failed job. */
  code: string | null;
  attempts: number;
  updatedAt: number;
}

/** What a user holds right now, for the quotas. */
export interface UploadUsage {
  /** Bytes of every upload of the user the service still keeps. */
  bytes: number;
  /** Uploads not finished yet. */
  unfinished: number;
  /** Seconds of the user's processed recordings the service still keeps. */
  seconds: number;
}

export interface RecordingRepository {
  createUpload(upload: Omit<UploadRecord, 'received' | 'finishedAt' | 'createdAt' | 'durationSeconds'>): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | undefined>;
  setReceived(id: string, bytes: number): Promise<void>;
  /** The processed recording's length, counted by the duration quota from now on (null: not counted). */
  setDuration(id: string, seconds: number | null): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  usage(owner: string): Promise<UploadUsage>;
  /** Unfinished uploads created before `before` (epoch ms): expired. */
  unfinishedBefore(before: number): Promise<UploadRecord[]>;

  /** Marks the upload finished and queues its job, in one transaction (the upload is "accepted"). */
  finishUpload(id: string, size: number): Promise<void>;
  getJob(videoId: string): Promise<ProcessingJob | undefined>;
  /** Claims the oldest queued job (state → `validating`), or undefined when none is queued. */
  claimNextJob(): Promise<ProcessingJob | undefined>;
  updateJob(videoId: string, changes: Partial<Pick<ProcessingJob, 'state' | 'progress' | 'code'>>): Promise<void>;
  /** Jobs a stopped process left half-done go back to `queued`; returns how many. */
  requeueInterrupted(): Promise<number>;
}
