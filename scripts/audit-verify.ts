/**
 * `npm run audit:verify [-- --db path]`: walks the audit trail's hash chain and names the first
 * record that does not verify. Exit 0: intact; 1: broken; 2: could not read the trail.
 * The database is `--db`, else `VEIL_AUDIT_DB`, else `.cache/veil-audit.sqlite`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_AUDIT_DB, SqliteAuditStore } from '../src/server/audit/sqlite-store.js';
import { verifyChain } from '../src/server/audit/store.js';

const { values } = parseArgs({ options: { db: { type: 'string' } }, strict: true });
const path = values.db ?? (process.env.VEIL_AUDIT_DB || DEFAULT_AUDIT_DB);

let store: SqliteAuditStore;
try {
  store = new SqliteAuditStore(path, { readonly: true });
} catch (error) {
  console.error(`audit:verify: cannot open ${path}: ${(error as Error).message}`);
  process.exit(2);
}
const report = await verifyChain(store.scan());
await store.close();
if (report.ok) {
  console.log(`audit trail ${path}: OK, ${report.count} records, head ${report.head}`);
} else {
  const { seq, id, reason } = report.broken!;
  console.error(`audit trail ${path}: BROKEN at record #${seq} (id ${id}): ${reason}; ${report.count} records before it verify.`);
  process.exitCode = 1;
}
