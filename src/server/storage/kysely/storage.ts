/**
 * Opens the Kysely-backed stores on a database of any dialect: migrates it to the latest schema,
 * settles the key-encryption key (refusing to start when it cannot unwrap what is stored), and
 * re-wraps values still under a previous KEK, which completes a KEK rotation.
 */
import { Migrator, type Kysely } from 'kysely';
import { VeilError } from '../../../protocol/errors.js';
import { kekFromBase64, kekFromFile, unknownKekMessage, unwrap, wrap, type KekRing } from '../envelope.js';
import { contentKeyContext, KyselyKeyStore } from './keys.js';
import { migrationProvider } from './migrations.js';
import type { VeilDatabase } from './schema.js';
import { KyselySigningKeyRing, privateKeyContext } from './signing-keys.js';
import { KyselyRecordingRepository } from './recordings.js';
import { KyselyGrantRepository } from './grants.js';
import { KyselySharingPolicyRepository } from './sharing-policies.js';
import { KyselyVideoRepository } from './videos.js';
import { KyselyLtiStore } from '../../lti/kysely-store.js';
import { createScimProvisioning, type ScimProvisioning } from '../../scim/index.js';

export interface KekOptions {
  /** base64 of 32 bytes (`VEIL_KEK`); without it the key file is used (and created if need be). */
  base64?: string;
  /** The generated key file, mode 0600, used when `base64` is absent (required then). */
  file?: string;
  /** Former KEKs (base64; `VEIL_KEK_PREVIOUS`) whose wrapped values are re-wrapped on start. */
  previousBase64?: readonly string[];
}

export interface KyselyStorageOptions {
  kek: KekOptions;
  /** See `SigningKeyRingOptions.retentionSeconds`. */
  signingKeyRetentionSeconds: number;
}

export interface KyselyStorage {
  videos: KyselyVideoRepository;
  grants: KyselyGrantRepository;
  sharingPolicies: KyselySharingPolicyRepository;
  keys: KyselyKeyStore;
  signingKeys: KyselySigningKeyRing;
  recordings: KyselyRecordingRepository;
  /** LTI 1.3: platform registrations and login states. */
  lti: KyselyLtiStore;
  /** The LTI tool's own RS256 keys (`/lti/jwks`), a ring of its own in the signing-key table. */
  ltiToolKeys: KyselySigningKeyRing;
  /** SCIM provisioning: the store behind `/scim/v2/`, the directory it fills, the orgs' secrets. */
  scim: ScimProvisioning;
  /** The id (fingerprint) of the KEK that wraps new values. */
  kekId: string;
}

export async function openKyselyStorage(db: Kysely<VeilDatabase>, options: KyselyStorageOptions): Promise<KyselyStorage> {
  // Migrations are named per feature (`0001-…`, `share-…`, …) and land in any order: each is independent.
  const { error } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
  if (error) throw new Error('storage: migrating the database failed', { cause: error });

  const stored = await storedKekIds(db);
  const keks: KekRing = {
    current: options.kek.base64 !== undefined ? kekFromBase64(options.kek.base64, 'VEIL_KEK') : kekFromFile(requiredKekFile(options.kek), stored.length === 0),
    previous: (options.kek.previousBase64 ?? []).map((text, i) => kekFromBase64(text, `VEIL_KEK_PREVIOUS entry ${i + 1}`)),
  };
  const known = new Set([keks.current.id, ...keks.previous.map((kek) => kek.id)]);
  const unknown = stored.filter((id) => !known.has(id));
  if (unknown.length) throw new VeilError('CONFIG_INVALID', { message: unknownKekMessage(unknown, keks), data: { kekIds: unknown } });
  if (stored.some((id) => id !== keks.current.id)) await rewrap(db, keks);

  return {
    videos: new KyselyVideoRepository(db),
    grants: new KyselyGrantRepository(db),
    sharingPolicies: new KyselySharingPolicyRepository(db),
    keys: new KyselyKeyStore(db, keks),
    signingKeys: new KyselySigningKeyRing(db, keks, { retentionSeconds: options.signingKeyRetentionSeconds }),
    recordings: new KyselyRecordingRepository(db),
    lti: new KyselyLtiStore(db),
    ltiToolKeys: new KyselySigningKeyRing(db, keks, { retentionSeconds: options.signingKeyRetentionSeconds, ring: 'lti-tool', alg: 'RS256' }),
    scim: createScimProvisioning(db),
    kekId: keks.current.id,
  };
}

function requiredKekFile(kek: KekOptions): string {
  if (kek.file === undefined) throw new TypeError('storage: the KEK needs `base64` or a key `file`');
  return kek.file;
}

async function storedKekIds(db: Kysely<VeilDatabase>): Promise<string[]> {
  const content = await db.selectFrom('content_keys').select('kek_id').distinct().execute();
  const signing = await db.selectFrom('signing_keys').select('kek_id').distinct().execute();
  return [...new Set([...content, ...signing].map((row) => row.kek_id))];
}

/** Re-wraps every value under a previous KEK with the current one, in one transaction. */
async function rewrap(db: Kysely<VeilDatabase>, keks: KekRing): Promise<void> {
  const current = keks.current;
  await db.transaction().execute(async (trx) => {
    const contentKeys = await trx.selectFrom('content_keys').selectAll().where('kek_id', '!=', current.id).execute();
    for (const row of contentKeys) {
      const context = contentKeyContext(row.video_id, row.kid);
      const wrapped = wrap(current, unwrap(keks, { kekId: row.kek_id, value: row.wrapped_key }, context), context);
      await trx
        .updateTable('content_keys')
        .set({ kek_id: wrapped.kekId, wrapped_key: wrapped.value })
        .where('video_id', '=', row.video_id)
        .where('kid', '=', row.kid)
        .execute();
    }
    const signingKeys = await trx.selectFrom('signing_keys').selectAll().where('kek_id', '!=', current.id).execute();
    for (const row of signingKeys) {
      const context = privateKeyContext(row.kid);
      const wrapped = wrap(current, unwrap(keks, { kekId: row.kek_id, value: row.wrapped_private_jwk }, context), context);
      await trx.updateTable('signing_keys').set({ kek_id: wrapped.kekId, wrapped_private_jwk: wrapped.value }).where('kid', '=', row.kid).execute();
    }
  });
}
