/**
 * `GrantRepository` over Kysely. The version lives on the video's row: a save is a conditional
 * `UPDATE … WHERE access_version = expected` (compare-and-set, race-free on SQLite and
 * PostgreSQL alike) followed by the grant rows, all in one transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { GeneralAccess, GrantRole, Principal } from '../../../protocol/sharing.js';
import type { Grant } from '../../access/model.js';
import type { AccessUpdate, GrantRepository, VideoAccess } from '../grants.js';
import type { VeilDatabase, VideoGrantsTable } from './schema.js';

export class KyselyGrantRepository implements GrantRepository {
  constructor(private readonly db: Kysely<VeilDatabase>) {}

  async read(videoId: string): Promise<VideoAccess | undefined> {
    const video = await this.db.selectFrom('videos').select(['general_access', 'access_version']).where('id', '=', videoId).executeTakeFirst();
    if (!video) return undefined;
    const rows = await this.db.selectFrom('video_grants').selectAll().where('video_id', '=', videoId).orderBy('principal').execute();
    return { generalAccess: video.general_access as GeneralAccess, grants: rows.map(fromRow), version: Number(video.access_version) };
  }

  async save(videoId: string, expectedVersion: number, update: AccessUpdate): Promise<{ saved: true; version: number } | { saved: false }> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('videos')
        .set((eb) => ({
          access_version: eb('access_version', '+', 1),
          ...(update.generalAccess ? { general_access: update.generalAccess } : {}),
        }))
        .where('id', '=', videoId)
        .where('access_version', '=', expectedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return { saved: false as const };
      if (update.remove.length) await trx.deleteFrom('video_grants').where('video_id', '=', videoId).where('principal', 'in', [...update.remove]).execute();
      for (const grant of update.put) {
        const row = toRow(videoId, grant);
        const { video_id: _video, principal: _principal, ...changes } = row;
        await trx
          .insertInto('video_grants')
          .values(row)
          .onConflict((conflict) => conflict.columns(['video_id', 'principal']).doUpdateSet(changes))
          .execute();
      }
      return { saved: true as const, version: expectedVersion + 1 };
    });
  }
}

function toRow(videoId: string, grant: Grant): VideoGrantsTable {
  return { video_id: videoId, principal: grant.principal, role: grant.role, expires_at: grant.expiresAt, granted_by: grant.grantedBy, granted_at: grant.grantedAt };
}

function fromRow(row: Selectable<VideoGrantsTable>): Grant {
  return {
    principal: row.principal as Principal,
    role: row.role as GrantRole,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    grantedBy: row.granted_by,
    grantedAt: Number(row.granted_at),
  };
}
