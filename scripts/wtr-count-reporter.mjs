// Writes web-test-runner's pass/fail counts to a JSON file for scripts/test.mjs to total.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// With each failure's file, name and error, which `npm test` repeats above its last line.
function count(suite, totals, file) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) totals.skipped += 1;
    else if (test.passed) totals.passed += 1;
    else {
      totals.failed += 1;
      totals.failures.push({ file, name: test.name, message: String(test.error?.message ?? 'failed').slice(0, 600) });
    }
  }
  for (const child of suite?.suites ?? []) count(child, totals, file);
}

export function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const totals = { passed: 0, failed: 0, skipped: 0, failures: [] };
      for (const session of sessions) {
        count(session.testResults, totals, session.testFile);
        // A file that failed to load or threw outside a test counts as one failure.
        if (!session.passed && (session.errors?.length ?? 0) > 0) {
          totals.failed += 1;
          totals.failures.push({ file: session.testFile, name: '(file)', message: String(session.errors[0]?.message ?? 'failed').slice(0, 600) });
        }
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(totals));
    },
  };
}
