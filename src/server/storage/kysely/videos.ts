/** `VideoRepository` over Kysely: the same queries for SQLite and PostgreSQL. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { StreamProtocol } from '../../../protocol/playback.js';
import type { GeneralAccess, ProtectionScheme, VideoPresentation, VideoRecord, VideoRepository, VideoStatus } from '../videos.js';
import { prepared } from './prepared.js';
import type { VeilDatabase, VideosTable } from './schema.js';

export class KyselyVideoRepository implements VideoRepository {
  // Read by every playback session, key and license request: compiled once (prepared.ts).
  readonly #get;

  constructor(private readonly db: Kysely<VeilDatabase>) {
    this.#get = prepared(db, (id: string) => db.selectFrom('videos').selectAll().where('id', '=', id));
  }

  async get(id: string): Promise<VideoRecord | undefined> {
    const [row] = await this.#get(id);
    return row && fromRow(row);
  }

  async put(video: VideoRecord): Promise<void> {
    const row = toRow(video);
    const { id: _id, created_at: _created, ...changes } = row;
    await this.db
      .insertInto('videos')
      .values(row)
      // A put may change general access: it moves the access version on, so no stale ETag saves over it.
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ ...changes, access_version: sql<number>`videos.access_version + 1` }))
      .execute();
  }

  async listVisibleTo(sub: string, org: string | undefined, principals: readonly string[] = []): Promise<VideoRecord[]> {
    const rows = await this.db
      .selectFrom('videos')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('owner', '=', sub),
          ...(org ? [eb.and([eb('org', '=', org), eb('general_access', '=', 'org')])] : []),
          ...(principals.length ? [eb('id', 'in', eb.selectFrom('video_grants').select('video_id').where('principal', 'in', [...principals]))] : []),
        ]),
      )
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(fromRow);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('videos').where('id', '=', id).execute();
  }

}

function toRow(video: VideoRecord): Insertable<VideosTable> {
  return {
    id: video.id,
    title: video.title,
    owner: video.owner,
    org: video.org,
    general_access: video.generalAccess,
    protocol: video.protocol,
    manifest: video.manifest,
    protection_scheme: video.protection.scheme,
    kids: video.protection.kids.join(' '),
    status: video.status,
    alternatives: video.alternatives?.length ? JSON.stringify(video.alternatives.map(toStored)) : null,
    created_at: Date.now(),
  };
}

function fromRow(row: Selectable<VideosTable>): VideoRecord {
  return {
    id: row.id,
    title: row.title,
    owner: row.owner,
    org: row.org,
    generalAccess: row.general_access as GeneralAccess,
    protocol: row.protocol as StreamProtocol,
    manifest: row.manifest,
    protection: { scheme: row.protection_scheme as ProtectionScheme, kids: row.kids === '' ? [] : row.kids.split(' ') },
    status: row.status as VideoStatus,
    ...(row.alternatives === null ? {} : { alternatives: (JSON.parse(row.alternatives) as StoredPresentation[]).map(fromStored) }),
  };
}

/** An alternative presentation as stored in the `alternatives` JSON text. */
interface StoredPresentation {
  protocol: string;
  manifest: string;
  scheme: string;
  kids: string[];
}

function toStored({ protocol, manifest, protection }: VideoPresentation): StoredPresentation {
  return { protocol, manifest, scheme: protection.scheme, kids: [...protection.kids] };
}

function fromStored(stored: StoredPresentation): VideoPresentation {
  return { protocol: stored.protocol as StreamProtocol, manifest: stored.manifest, protection: { scheme: stored.scheme as ProtectionScheme, kids: stored.kids } };
}
