/**
 * `GrantRepository` over Kysely. The version lives on the video's row: a save is a conditional
 * `UPDATE … WHERE access_version = expected` (compare-and-set, race-free on SQLite and
 * PostgreSQL alike) followed by the grant rows, all in one transaction.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { GeneralAccess, GrantRole, Principal } from '../../../protocol/sharing.js';
import type { Grant } from '../../access/model.js';
import type { AccessRequest, AccessUpdate, ExpiredGrant, GrantRepository, VideoAccess } from '../grants.js';
import { prepared } from './prepared.js';
import type { VeilDatabase, VideoGrantsTable } from './schema.js';

export class KyselyGrantRepository implements GrantRepository {
  // Every playback session, key and license request reads a video's access: compiled once per
  // number of principals (prepared.ts).
  readonly #read;

  constructor(private readonly db: Kysely<VeilDatabase>) {
    // The video's access row and its grants in one statement (a left join: a video without grants
    // still answers with one row, its grant columns null); on PostgreSQL each statement is a round
    // trip (issue 16), and one statement is also one snapshot.
    this.#read = prepared(db, (videoId: string, principals: readonly Principal[] | undefined) =>
      db
        .selectFrom('videos')
        .leftJoin('video_grants', (join) => {
          const on = join.onRef('video_grants.video_id', '=', 'videos.id');
          // No principal to look for: the join matches nothing (an empty `IN ()` is not SQL).
          if (principals?.length === 0) return on.on(sql.lit(false));
          return principals ? on.on('video_grants.principal', 'in', [...principals]) : on;
        })
        .select(['videos.general_access', 'videos.access_version', 'video_grants.principal', 'video_grants.role', 'video_grants.expires_at', 'video_grants.granted_by', 'video_grants.granted_at'])
        .where('videos.id', '=', videoId)
        .orderBy('video_grants.principal'),
    );
  }

  read(videoId: string): Promise<VideoAccess | undefined> {
    return this.#access(videoId, undefined);
  }

  readFor(videoId: string, principals: readonly Principal[]): Promise<VideoAccess | undefined> {
    return this.#access(videoId, principals);
  }

  async #access(videoId: string, principals: readonly Principal[] | undefined): Promise<VideoAccess | undefined> {
    const rows = await this.#read(videoId, principals);
    const video = rows[0];
    if (!video) return undefined;
    const grants = rows.filter((row): row is typeof row & Selectable<VideoGrantsTable> => row.principal !== null).map(fromRow);
    return { generalAccess: video.general_access as GeneralAccess, grants, version: Number(video.access_version) };
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
      if (update.resolveRequests?.length) await trx.deleteFrom('video_access_requests').where('video_id', '=', videoId).where('principal', 'in', [...update.resolveRequests]).execute();
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

  async listByOrg(org: string): Promise<Array<{ videoId: string; access: VideoAccess }>> {
    const videos = await this.db.selectFrom('videos').select(['id', 'general_access', 'access_version']).where('org', '=', org).orderBy('id').execute();
    const rows = await this.db
      .selectFrom('video_grants')
      .selectAll('video_grants')
      .innerJoin('videos', 'videos.id', 'video_grants.video_id')
      .where('videos.org', '=', org)
      .orderBy('video_grants.principal')
      .execute();
    const grantsOf = new Map<string, Grant[]>();
    for (const row of rows) grantsOf.set(row.video_id, [...(grantsOf.get(row.video_id) ?? []), fromRow(row)]);
    return videos.map((video) => ({
      videoId: video.id,
      access: { generalAccess: video.general_access as GeneralAccess, grants: grantsOf.get(video.id) ?? [], version: Number(video.access_version) },
    }));
  }

  async requests(videoId: string): Promise<AccessRequest[]> {
    const rows = await this.db.selectFrom('video_access_requests').select(['principal', 'requested_at']).where('video_id', '=', videoId).orderBy('requested_at').orderBy('principal').execute();
    return rows.map((row) => ({ principal: row.principal as Principal, requestedAt: Number(row.requested_at) }));
  }

  async addRequest(videoId: string, request: AccessRequest): Promise<boolean> {
    const known = await this.db.selectFrom('videos').select('id').where('id', '=', videoId).executeTakeFirst();
    if (!known) return false;
    const result = await this.db
      .insertInto('video_access_requests')
      .values({ video_id: videoId, principal: request.principal, requested_at: request.requestedAt })
      .onConflict((conflict) => conflict.columns(['video_id', 'principal']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async expired(now: number, limit: number): Promise<ExpiredGrant[]> {
    const rows = await this.db
      .selectFrom('video_grants')
      .innerJoin('videos', 'videos.id', 'video_grants.video_id')
      .selectAll('video_grants')
      .select('videos.org')
      .where('video_grants.expires_at', '<=', now)
      .orderBy('video_grants.expires_at')
      .limit(limit)
      .execute();
    return rows.map(({ org, ...row }) => ({ videoId: row.video_id, org, grant: fromRow(row) }));
  }

  async removeExpired(videoId: string, principal: Principal, expiresAt: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('video_grants').where('video_id', '=', videoId).where('principal', '=', principal).where('expires_at', '=', expiresAt).executeTakeFirst();
      if (removed.numDeletedRows !== 1n) return false;
      await trx
        .updateTable('videos')
        .set((eb) => ({ access_version: eb('access_version', '+', 1) }))
        .where('id', '=', videoId)
        .execute();
      return true;
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
