// node:test reporter that totals leaf tests (not suites) and writes them as JSON to stdout, with
// each failure's file, name and first lines of its error: `npm test` repeats them just above its
// last line, where a CI log that keeps only its tail still shows why a run failed.
const MESSAGE_CHARS = 600;

function failureOf(data) {
  const error = data.details?.error;
  const cause = error?.cause ?? error;
  const message = String(cause?.message ?? cause ?? 'failed').slice(0, MESSAGE_CHARS);
  return { file: data.file, name: data.name, message };
}

export default async function* countReporter(source) {
  const totals = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { details, skip, todo } = event.data;
    // A suite counts only when it fails by itself (a hook, say), not because a test inside failed.
    if (details?.type === 'suite' && (event.type === 'test:pass' || details.error?.failureType === 'subtestsFailed')) continue;
    if (skip || todo) totals.skipped += 1;
    else if (event.type === 'test:pass') totals.passed += 1;
    else {
      totals.failed += 1;
      totals.failures.push(failureOf(event.data));
    }
  }
  yield JSON.stringify(totals);
}
