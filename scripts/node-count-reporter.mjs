// node:test reporter that totals leaf tests (not suites) and writes them as JSON to stdout.
export default async function* countReporter(source) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { details, skip, todo } = event.data;
    // A suite counts only when it fails by itself (a hook, say), not because a test inside failed.
    if (details?.type === 'suite' && (event.type === 'test:pass' || details.error?.failureType === 'subtestsFailed')) continue;
    if (skip || todo) totals.skipped += 1;
    else if (event.type === 'test:pass') totals.passed += 1;
    else totals.failed += 1;
  }
  yield JSON.stringify(totals);
}
