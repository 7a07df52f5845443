import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { withErrorTable } from '../../scripts/error-table.js';

describe('README', () => {
  it('documents every error code exactly as src/errors.ts defines it (run `npm run docs`)', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.equal(readme, withErrorTable(readme));
  });

  it('shows the quick start and test commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /npm test/);
  });
});
