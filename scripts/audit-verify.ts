/**
 * `npm run audit:verify [-- --db path-or-url]`: walks the audit trail's hash chain and names the
 * first record that does not verify. Exit 0: intact; 1: broken; 2: could not read the trail.
 * The trail is `--db` (a SQLite file or a `postgres://` URL), else `VEIL_DATABASE_URL`, else
 * `VEIL_AUDIT_DB`, else `.cache/veil-audit.sqlite`.
 */
import { parseArgs } from 'node:util';
import { PostgresAuditStore } from '../src/server/audit/postgres-store.js';
import { DEFAULT_AUDIT_DB, SqliteAuditStore } from '../src/server/audit/sqlite-store.js';
import { verifyChain, type AuditStore } from '../src/server/audit/store.js';

const { values } = parseArgs({ options: { db: { type: 'string' } }, strict: true });
const path = values.db ?? (process.env.VEIL_DATABASE_URL || process.env.VEIL_AUDIT_DB || DEFAULT_AUDIT_DB);
const isUrl = /^postgres(ql)?:\/\//.test(path);
// A URL may carry a password: name only its host and database.
const name = isUrl ? (({ host, pathname }) => `postgres://${host}${pathname}`)(new URL(path)) : path;

let store: AuditStore;
try {
  store = isUrl ? await PostgresAuditStore.open(path, { poolSize: 1 }) : new SqliteAuditStore(path, { readonly: true });
} catch (error) {
  console.error(`audit:verify: cannot open ${name}: ${(error as Error).message}`);
  process.exit(2);
}
const report = await verifyChain(store.scan());
await store.close();
if (report.ok) {
  console.log(`audit trail ${name}: OK, ${report.count} records, head ${report.head}`);
} else {
  const { seq, id, reason } = report.broken!;
  console.error(`audit trail ${name}: BROKEN at record #${seq} (id ${id}): ${reason}; ${report.count} records before it verify.`);
  process.exitCode = 1;
}
