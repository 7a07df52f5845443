import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('TypeScript', () => {
  it('the whole tree typechecks under strict settings (`npm run typecheck`)', () => {
    const result = spawnSync('npm', ['run', '--silent', 'typecheck'], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  });
});
