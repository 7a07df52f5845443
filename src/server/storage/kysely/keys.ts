/** `KeyStore` over Kysely: content keys wrapped by the KEK, bound to their video and kid. */
import type { Kysely } from 'kysely';
import { unwrap, wrap, type KekRing } from '../envelope.js';
import type { ContentKey, KeyStore } from '../keys.js';
import { KID_PATTERN } from '../videos.js';
import type { VeilDatabase } from './schema.js';

/** Additional data of a wrapped content key: the row it belongs to. */
export function contentKeyContext(videoId: string, kid: string): string {
  return `veil content key ${videoId} ${kid}`;
}

export class KyselyKeyStore implements KeyStore {
  constructor(
    private readonly db: Kysely<VeilDatabase>,
    private readonly keks: KekRing,
  ) {}

  async put(videoId: string, keys: readonly ContentKey[]): Promise<void> {
    for (const { kid, key } of keys) {
      if (!KID_PATTERN.test(kid)) throw new RangeError(`keys: kid must be 32 lowercase hex digits, got '${kid}'`);
      if (key.byteLength !== 16) throw new RangeError(`keys: a content key is 16 bytes, got ${key.byteLength}`);
    }
    const rows = keys.map(({ kid, key }) => {
      const wrapped = wrap(this.keks.current, key, contentKeyContext(videoId, kid));
      return { video_id: videoId, kid, kek_id: wrapped.kekId, wrapped_key: wrapped.value };
    });
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('content_keys').where('video_id', '=', videoId).execute();
      if (rows.length) await trx.insertInto('content_keys').values(rows).execute();
    });
  }

  async get(videoId: string): Promise<ContentKey[]> {
    const rows = await this.db.selectFrom('content_keys').selectAll().where('video_id', '=', videoId).orderBy('kid').execute();
    return rows.map((row) => ({
      kid: row.kid,
      key: unwrap(this.keks, { kekId: row.kek_id, value: row.wrapped_key }, contentKeyContext(videoId, row.kid)),
    }));
  }

  async delete(videoId: string): Promise<void> {
    await this.db.deleteFrom('content_keys').where('video_id', '=', videoId).execute();
  }
}
