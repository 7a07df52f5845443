/**
 * Missing system tools are named in one line with their install command, never a stack trace:
 * the check itself, the demo server and `npm start` without ffmpeg on PATH, and `npm test`'s
 * runner without Chromium (both runners stop before they build or clear anything).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

// A PATH with node and nothing else.
const bin = mkdtempSync(join(tmpdir(), 'veil-path-'));
symlinkSync(process.execPath, join(bin, 'node'));
after(() => rmSync(bin, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, lines: result.stderr.split('\n').filter(Boolean), stdout: result.stdout };
}

function assertOnePlainLine(lines: string[], ...needles: string[]): void {
  assert.equal(lines.length, 1, `one line, got:\n${lines.join('\n')}`);
  for (const needle of needles) assert.ok(lines[0]!.includes(needle), `mentions ${needle}: ${lines[0]}`);
  assert.doesNotMatch(lines[0]!, /^\s+at |Error:/);
}

describe('prerequisites said plainly', () => {
  it('passes silently when the tools are there', () => {
    const result = run(['scripts/prerequisites.mjs', 'ffmpeg', 'chromium'], {});
    assert.equal(result.status, 0, result.lines.join('\n'));
    assert.deepEqual(result.lines, []);
  });

  it('names ffmpeg and how to install it when it is not on PATH', () => {
    const result = run(['scripts/prerequisites.mjs', 'ffmpeg'], { PATH: bin });
    assert.equal(result.status, 1);
    assertOnePlainLine(result.lines, 'ffmpeg', 'apt-get install ffmpeg', 'brew install ffmpeg');
  });

  it('the demo server without ffmpeg: one line, exit 1, nothing served', () => {
    const result = run(['--import', 'tsx', 'demo/server.ts'], { PATH: bin, PORT: '8899', VEIL_DATA_DIR: join(bin, 'data') });
    assert.equal(result.status, 1);
    // oidc-provider warns on import under Node 20 (any start prints it); everything else is ours.
    const ours = result.lines.filter((line) => !line.startsWith('oidc-provider WARNING: Unsupported runtime'));
    assertOnePlainLine(ours, 'apt-get install ffmpeg');
    assert.doesNotMatch(result.stdout, /ready at/);
  });

  it('npm start without ffmpeg: one line, exit 1, before building', () => {
    const result = run(['scripts/start.mjs'], { PATH: bin });
    assert.equal(result.status, 1);
    assertOnePlainLine(result.lines, 'apt-get install ffmpeg', 'brew install ffmpeg');
    assert.equal(result.stdout, '', 'nothing ran');
  });

  it('the test runner without Chromium: one line, exit 1, before building', () => {
    const result = run(['scripts/test.mjs'], { CHROMIUM_PATH: join(bin, 'no-chromium') });
    assert.equal(result.status, 1);
    assertOnePlainLine(result.lines, 'Chromium', 'apt-get install chromium', 'brew install --cask chromium');
    assert.equal(result.stdout, '', 'nothing ran');
  });
});
