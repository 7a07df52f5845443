/**
 * The public API is deliberate: API Extractor's report of every typed subpath in package.json
 * `exports` (from the build's declarations) must equal the checked-in `etc/*.api.md`.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { apiReports, UPDATE_COMMAND } from '../../scripts/api-report.js';

describe('API report (API Extractor, etc/*.api.md)', () => {
  it('the build exports exactly the API in etc/', () => {
    const reports = apiReports();
    assert.ok(reports.some((report) => report.subpath === './react') && reports.some((report) => report.subpath === '.'), 'every typed export is reported');
    assert.deepEqual(reports.flatMap((report) => report.errors), [], 'API Extractor reads every entry (run npm run build first)');
    const drifted = reports.filter((report) => !report.matches).map((report) => report.file);
    assert.deepEqual(drifted, [], `The public API changed. If that is deliberate, update the reports with \`${UPDATE_COMMAND}\` and commit etc/.`);
  });

  it('notices a report that no longer matches the build', () => {
    const folder = `${mkdtempSync(join(tmpdir(), 'veil-api-'))}/`;
    try {
      cpSync('etc', folder, { recursive: true });
      const file = join(folder, 'veil-video-react.api.md');
      writeFileSync(file, readFileSync(file, 'utf8').replace('export const VeilPlayer', 'export const VeilMoviePlayer'));
      const [report] = apiReports({ subpaths: ['./react'], reportFolder: folder });
      assert.equal(report?.matches, false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
