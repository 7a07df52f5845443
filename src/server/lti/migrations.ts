/** The LTI tool's own migrations (listed in storage/kysely/migrations.ts). Portable types only. */
import type { Kysely, Migration } from 'kysely';

/** LTI Deep Linking 2.0: open pickers, each removed by its one choice (or swept once expired). */
export const ltiDeepLinksMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('lti_deep_links')
      .addColumn('id_hash', 'text', (col) => col.primaryKey())
      .addColumn('issuer', 'text', (col) => col.notNull())
      .addColumn('client_id', 'text', (col) => col.notNull())
      .addColumn('deployment_id', 'text', (col) => col.notNull())
      .addColumn('org', 'text', (col) => col.notNull())
      .addColumn('context_id', 'text', (col) => col.notNull())
      .addColumn('sub', 'text', (col) => col.notNull())
      .addColumn('return_url', 'text', (col) => col.notNull())
      .addColumn('data', 'text')
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('lti_deep_links_expires').on('lti_deep_links').column('expires_at').execute();
  },
};

/** A registration's authorization server identifier; null (existing rows) means "the token endpoint". */
export const ltiAuthorizationServerMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('lti_registrations').addColumn('authorization_server', 'text').execute();
  },
};
