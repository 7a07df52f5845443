/** The SCIM store contract on PostgreSQL (a throwaway cluster): the migration and queries are portable. */
import { scimStoreContract } from './contracts/scim-store.js';
import { openPostgresTestStorage } from '../support/postgres-storage.js';

scimStoreContract('postgres', async () => {
  const storage = await openPostgresTestStorage();
  return { scim: storage.scim, close: storage.close };
});
