/**
 * Versioned schema migrations, in code (no migration folder to ship or locate at run time). A
 * migration is never edited once released; a change is a new entry. Only the schema builder's
 * portable column types are used, so the same list migrates PostgreSQL.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { scimMigration } from '../../scim/migration.js';
import { ltiAuthorizationServerMigration, ltiDeepLinksMigration } from '../../lti/migrations.js';

const migrations: Record<string, Migration> = {
  '0001-videos-keys-signing-keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('videos')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('title', 'text', (col) => col.notNull())
        .addColumn('owner', 'text', (col) => col.notNull())
        .addColumn('org', 'text', (col) => col.notNull())
        .addColumn('general_access', 'text', (col) => col.notNull())
        .addColumn('protocol', 'text', (col) => col.notNull())
        .addColumn('manifest', 'text', (col) => col.notNull())
        .addColumn('protection_scheme', 'text', (col) => col.notNull())
        .addColumn('kids', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('video_access_revocations')
        .addColumn('video_id', 'text', (col) => col.notNull().references('videos.id').onDelete('cascade'))
        .addColumn('sub', 'text', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('video_access_revocations_pk', ['video_id', 'sub'])
        .execute();
      await db.schema
        .createTable('content_keys')
        .addColumn('video_id', 'text', (col) => col.notNull())
        .addColumn('kid', 'text', (col) => col.notNull())
        .addColumn('kek_id', 'text', (col) => col.notNull())
        .addColumn('wrapped_key', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('content_keys_pk', ['video_id', 'kid'])
        .execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (col) => col.primaryKey())
        .addColumn('public_jwk', 'text', (col) => col.notNull())
        .addColumn('kek_id', 'text', (col) => col.notNull())
        .addColumn('wrapped_private_jwk', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
    },
  },
  // Named `recording-…` so that migrations added on other branches never collide with it.
  'recording-0001-uploads-jobs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('recording_uploads')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('owner', 'text', (col) => col.notNull())
        .addColumn('org', 'text', (col) => col.notNull())
        .addColumn('received', 'bigint', (col) => col.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('recording_uploads_owner').on('recording_uploads').column('owner').execute();
      await db.schema
        .createTable('recording_jobs')
        .addColumn('video_id', 'text', (col) => col.primaryKey())
        .addColumn('upload_id', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('progress', 'integer', (col) => col.notNull())
        .addColumn('code', 'text')
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('recording_jobs_state').on('recording_jobs').columns(['state', 'created_at']).execute();
    },
  },
  // The per-user duration quota: each processed recording's length (ms), summed per owner.
  'recording-0002-durations': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('recording_uploads').addColumn('duration_ms', 'bigint').execute();
    },
  },
  // Grants replace the per-viewer revocation list; general access and grants share a version.
  'share-0001-grants': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('videos').addColumn('access_version', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('video_grants')
        .addColumn('video_id', 'text', (col) => col.notNull().references('videos.id').onDelete('cascade'))
        .addColumn('principal', 'text', (col) => col.notNull())
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('granted_by', 'text', (col) => col.notNull())
        .addColumn('granted_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('video_grants_pk', ['video_id', 'principal'])
        .execute();
      await db.schema.dropTable('video_access_revocations').execute();
    },
  },
  // LTI 1.3: platform registrations, their deployments, single-use login states; tool keys share
  // the signing-key table under their own ring name.
  'lti-0001-registrations-logins': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lti_registrations')
        .addColumn('issuer', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull())
        .addColumn('auth_endpoint', 'text', (col) => col.notNull())
        .addColumn('token_endpoint', 'text', (col) => col.notNull())
        .addColumn('jwks_url', 'text', (col) => col.notNull())
        .addColumn('algorithms', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('lti_registrations_pk', ['issuer', 'client_id'])
        .execute();
      await db.schema
        .createTable('lti_deployments')
        .addColumn('issuer', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull())
        .addColumn('deployment_id', 'text', (col) => col.notNull())
        .addColumn('org', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('lti_deployments_pk', ['issuer', 'client_id', 'deployment_id'])
        .execute();
      await db.schema
        .createTable('lti_logins')
        .addColumn('state_hash', 'text', (col) => col.primaryKey())
        .addColumn('nonce', 'text', (col) => col.notNull())
        .addColumn('binding_hash', 'text', (col) => col.notNull())
        .addColumn('issuer', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull())
        .addColumn('target_link_uri', 'text', (col) => col.notNull())
        .addColumn('storage_target', 'text')
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('lti_logins_expires').on('lti_logins').column('expires_at').execute();
      await db.schema.alterTable('signing_keys').addColumn('ring', 'text', (col) => col.notNull().defaultTo('playback')).execute();
    },
  },
  // Access requests, org sharing policies, and an index for the grant expiry sweep.
  'share-0002-requests-policies': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('video_access_requests')
        .addColumn('video_id', 'text', (col) => col.notNull().references('videos.id').onDelete('cascade'))
        .addColumn('principal', 'text', (col) => col.notNull())
        .addColumn('requested_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('video_access_requests_pk', ['video_id', 'principal'])
        .execute();
      await db.schema
        .createTable('sharing_policies')
        .addColumn('org', 'text', (col) => col.primaryKey())
        .addColumn('org_access_allowed', 'integer', (col) => col.notNull())
        .addColumn('default_expiry_days', 'integer')
        .addColumn('max_expiry_days', 'integer')
        .addColumn('editors_may_share', 'integer', (col) => col.notNull())
        .addColumn('updated_by', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('video_grants_expires_at').on('video_grants').column('expires_at').execute();
    },
  },
  // A video's further presentations (a recording: AES-128 HLS beside its CENC DASH), as JSON text.
  'video-0003-presentations': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('videos').addColumn('alternatives', 'text').execute();
    },
  },
  // The provisioned directory (SCIM users, groups, members, tombstones, secrets): src/server/scim/.
  'scim-0001-directory': scimMigration,
  // LTI Deep Linking 2.0: open pickers, single-use (src/server/lti/migrations.ts).
  'lti-0002-deep-links': ltiDeepLinksMigration,
  // LTI: a registration's authorization server identifier (the NRPS client assertion's `aud`).
  'lti-0003-authorization-server': ltiAuthorizationServerMigration,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
