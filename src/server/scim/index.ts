/**
 * SCIM provisioning on one database: the store the `/scim/v2/` routes write, the directory the
 * share dialog, group grants and the token service read, and the orgs' provisioning secrets.
 */
import { ScimDirectory } from './directory.js';
import type { AnyDatabase } from './schema.js';
import { ScimSecrets } from './secrets.js';
import { ScimStore } from './store.js';

export interface ScimProvisioning {
  store: ScimStore;
  directory: ScimDirectory;
  secrets: ScimSecrets;
}

export function createScimProvisioning(db: AnyDatabase): ScimProvisioning {
  return { store: new ScimStore(db), directory: new ScimDirectory(db), secrets: new ScimSecrets(db) };
}

export { ScimDirectory, ScimSecrets, ScimStore };
export { DEFAULT_ROTATION_GRACE_SECONDS, type ScimCredential } from './secrets.js';
