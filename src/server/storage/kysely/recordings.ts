/** `RecordingRepository` over Kysely: uploads and their processing jobs. */
import type { Kysely, Selectable } from 'kysely';
import type { ProcessingState } from '../../../protocol/recording.js';
import type { ProcessingJob, RecordingRepository, UploadRecord, UploadUsage } from '../recordings.js';
import type { RecordingJobsTable, RecordingUploadsTable, VeilDatabase } from './schema.js';

/** Job states a worker was in the middle of. */
const RUNNING: ProcessingState[] = ['validating', 'transcoding', 'packaging'];

export class KyselyRecordingRepository implements RecordingRepository {
  constructor(private readonly db: Kysely<VeilDatabase>) {}

  async createUpload(upload: Omit<UploadRecord, 'received' | 'finishedAt' | 'createdAt' | 'durationSeconds'>): Promise<void> {
    await this.db
      .insertInto('recording_uploads')
      .values({ id: upload.id, owner: upload.owner, org: upload.org, received: 0, finished_at: null, created_at: Date.now(), duration_ms: null })
      .execute();
  }

  async getUpload(id: string): Promise<UploadRecord | undefined> {
    const row = await this.db.selectFrom('recording_uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row && uploadFromRow(row);
  }

  async setReceived(id: string, bytes: number): Promise<void> {
    await this.db.updateTable('recording_uploads').set({ received: bytes }).where('id', '=', id).execute();
  }

  async setDuration(id: string, seconds: number | null): Promise<void> {
    await this.db
      .updateTable('recording_uploads')
      .set({ duration_ms: seconds === null ? null : Math.round(seconds * 1000) })
      .where('id', '=', id)
      .execute();
  }

  async deleteUpload(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recording_jobs').where('upload_id', '=', id).execute();
      await trx.deleteFrom('recording_uploads').where('id', '=', id).execute();
    });
  }

  async usage(owner: string): Promise<UploadUsage> {
    const rows = await this.db.selectFrom('recording_uploads').select(['received', 'finished_at', 'duration_ms']).where('owner', '=', owner).execute();
    return {
      bytes: rows.reduce((sum, row) => sum + Number(row.received), 0),
      unfinished: rows.filter((row) => row.finished_at === null).length,
      seconds: rows.reduce((sum, row) => sum + Number(row.duration_ms ?? 0), 0) / 1000,
    };
  }

  async unfinishedBefore(before: number): Promise<UploadRecord[]> {
    const rows = await this.db.selectFrom('recording_uploads').selectAll().where('finished_at', 'is', null).where('created_at', '<', before).execute();
    return rows.map(uploadFromRow);
  }

  async finishUpload(id: string, size: number): Promise<void> {
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('recording_uploads').set({ received: size, finished_at: now }).where('id', '=', id).execute();
      await trx
        .insertInto('recording_jobs')
        .values({ video_id: id, upload_id: id, state: 'queued', progress: 0, code: null, attempts: 0, created_at: now, updated_at: now })
        .onConflict((conflict) => conflict.column('video_id').doUpdateSet({ state: 'queued', progress: 0, code: null, updated_at: now }))
        .execute();
    });
  }

  async getJob(videoId: string): Promise<ProcessingJob | undefined> {
    const row = await this.db.selectFrom('recording_jobs').selectAll().where('video_id', '=', videoId).executeTakeFirst();
    return row && jobFromRow(row);
  }

  async claimNextJob(): Promise<ProcessingJob | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('recording_jobs').selectAll().where('state', '=', 'queued').orderBy('created_at').limit(1).executeTakeFirst();
      if (!row) return undefined;
      // The state guard makes the claim safe when several workers share the database.
      const claimed = await trx
        .updateTable('recording_jobs')
        .set({ state: 'validating', attempts: row.attempts + 1, updated_at: Date.now() })
        .where('video_id', '=', row.video_id)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return undefined;
      return jobFromRow({ ...row, state: 'validating', attempts: row.attempts + 1 });
    });
  }

  async updateJob(videoId: string, changes: Partial<Pick<ProcessingJob, 'state' | 'progress' | 'code'>>): Promise<void> {
    await this.db
      .updateTable('recording_jobs')
      .set({ ...changes, updated_at: Date.now() })
      .where('video_id', '=', videoId)
      .execute();
  }

  async requeueInterrupted(): Promise<number> {
    const result = await this.db
      .updateTable('recording_jobs')
      .set({ state: 'queued', progress: 0, updated_at: Date.now() })
      .where('state', 'in', RUNNING)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function uploadFromRow(row: Selectable<RecordingUploadsTable>): UploadRecord {
  return {
    id: row.id,
    owner: row.owner,
    org: row.org,
    received: Number(row.received),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    createdAt: Number(row.created_at),
    durationSeconds: row.duration_ms === null ? null : Number(row.duration_ms) / 1000,
  };
}

function jobFromRow(row: Selectable<RecordingJobsTable>): ProcessingJob {
  return {
    videoId: row.video_id,
    uploadId: row.upload_id,
    state: row.state as ProcessingState,
    progress: row.progress,
    code: row.code,
    attempts: row.attempts,
    updatedAt: Number(row.updated_at),
  };
}
