/** The provisioned directory's tables (migration `scim-0001-directory`), portable to PostgreSQL. */
import type { Kysely, Migration } from 'kysely';

export const scimMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('scim_users')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('org', 'text', (col) => col.notNull())
      .addColumn('user_name', 'text', (col) => col.notNull())
      .addColumn('user_name_key', 'text', (col) => col.notNull())
      .addColumn('external_id', 'text')
      .addColumn('sub', 'text', (col) => col.notNull())
      .addColumn('active', 'integer', (col) => col.notNull())
      .addColumn('display_name', 'text', (col) => col.notNull())
      .addColumn('email', 'text')
      .addColumn('search_text', 'text', (col) => col.notNull())
      .addColumn('resource', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('scim_users_user_name').unique().on('scim_users').columns(['org', 'user_name_key']).execute();
    await db.schema.createIndex('scim_users_sub').on('scim_users').columns(['org', 'sub']).execute();
    await db.schema
      .createTable('scim_groups')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('org', 'text', (col) => col.notNull())
      .addColumn('display_name', 'text', (col) => col.notNull())
      .addColumn('display_name_key', 'text', (col) => col.notNull())
      .addColumn('external_id', 'text')
      .addColumn('resource', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('scim_groups_org').on('scim_groups').columns(['org', 'display_name_key']).execute();
    await db.schema
      .createTable('scim_members')
      .addColumn('group_id', 'text', (col) => col.notNull().references('scim_groups.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (col) => col.notNull().references('scim_users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('scim_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('scim_members_user').on('scim_members').column('user_id').execute();
    await db.schema
      .createTable('scim_tombstones')
      .addColumn('org', 'text', (col) => col.notNull())
      .addColumn('sub', 'text', (col) => col.notNull())
      .addColumn('deleted_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('scim_tombstones_pk', ['org', 'sub'])
      .execute();
    await db.schema
      .createTable('scim_secrets')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('org', 'text', (col) => col.notNull())
      .addColumn('secret_hash', 'text', (col) => col.notNull().unique())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
  },
};
