#!/usr/bin/env node
// `npm test`: builds the library, starts the real demo server once, runs the node tests (server and
// end-to-end in Chromium) and the web-test-runner browser tests, and prints one
// `N passed, N failed` line covering every runner, last.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { requirePrerequisites } from './prerequisites.mjs';

// Before anything is built or cleared: say plainly what is missing.
requirePrerequisites(['chromium', 'ffmpeg']);

const COUNTS = '.cache/test-counts';
const PORT = process.env.VEIL_TEST_PORT || '8181';
const ORIGIN = `http://127.0.0.1:${PORT}`;

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function testFiles(dir) {
  const names = await readdir(dir).catch(() => []);
  return names.filter((name) => name.endsWith('.test.ts')).sort().map((name) => `${dir}/${name}`);
}

/** Spawns the demo server; `ready` settles once it prints its ready line (or exits). */
function startDemo() {
  const child = spawn('npx', ['tsx', 'demo/server.ts'], {
    // Fresh state per run (database, keys, media, audit trail), so every run's tests see only
    // their own events; the generated sample media stays shared across runs (ffmpeg is slow).
    env: { ...process.env, PORT, VEIL_DATA_DIR: `${COUNTS}/data-${PORT}`, VEIL_CACHE_DIR: process.env.VEIL_CACHE_DIR || '.cache/veil-media' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('demo server did not become ready within 10 minutes')), 600_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk.replace(/^(?=.)/gm, '[demo] '));
      if (chunk.includes(`ready at ${ORIGIN}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited early (${code})`));
    });
  });
  ready.catch(() => {}); // awaited later; an early exit must not count as unhandled meanwhile
  return { child, ready };
}

/** node:test over `files`, `concurrency` files at a time; counts to `${COUNTS}/${name}.json`. */
function runNodeTests(name, files, concurrency, env) {
  return run(process.execPath, [
    '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/node-count-reporter.mjs', `--test-reporter-destination=${COUNTS}/${name}.json`,
    ...files,
  ], { env });
}

function readCounts(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

rmSync(COUNTS, { recursive: true, force: true });
mkdirSync(COUNTS, { recursive: true });
const totals = { passed: 0, failed: 0 };
const failures = [];
let demo;
try {
  if ((await run('npm', ['run', 'build'])) !== 0) throw new Error('build failed');
  // The demo needs the library build, not the stories: it starts (sample media included, on a
  // fresh checkout) while storybook builds. The server tests need neither the demo nor the stories,
  // and are CPU work that does not care about timing: they run meanwhile, two files at a time. The
  // end-to-end tests (browsers, media, timing) then run one file at a time on a quiet machine.
  demo = startDemo();
  const [storybookExit, serverExit] = await Promise.all([
    // `npm run build` has just written custom-elements.json (the analyzer): not again here, where
    // the server tests read it.
    run('npx', ['storybook', 'build', '--disable-telemetry', '--quiet', '-o', 'storybook-static'], { env: { ...process.env, STORYBOOK_DISABLE_TELEMETRY: '1' } }),
    runNodeTests('server', await testFiles('test/server'), 2, process.env),
  ]);
  if (storybookExit !== 0) throw new Error('storybook build failed');
  await demo.ready;
  const env = { ...process.env, VEIL_DEMO_URL: ORIGIN };
  const e2eExit = await runNodeTests('e2e', [...(await testFiles('test/e2e')), ...(await testFiles('test/consumers'))], 1, env);
  const wtrExit = await run('npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs'], {
    env: { ...env, VEIL_WTR_COUNTS: `${COUNTS}/wtr.json` },
  });

  for (const [name, exit] of [['server', serverExit], ['e2e', e2eExit], ['wtr', wtrExit]]) {
    const counts = readCounts(`${COUNTS}/${name}.json`);
    if (!counts) {
      console.error(`${name} runner produced no counts (exit ${exit})`);
      totals.failed += 1;
      continue;
    }
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    failures.push(...(counts.failures ?? []));
    // A runner that failed without a counted failure (a crash) still fails the run.
    if (exit !== 0 && counts.failed === 0) totals.failed += 1;
  }
} catch (error) {
  console.error(error);
  totals.failed += 1;
} finally {
  try {
    if (demo) process.kill(-demo.child.pid, 'SIGTERM'); // its whole process group
  } catch {
    // already gone
  }
}
for (const { file, name, message } of failures) {
  console.log(`FAILED ${file ? `${file.replace(`${process.cwd()}/`, '')} › ` : ''}${name}\n  ${message.replace(/\n/g, '\n  ')}`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exitCode = totals.failed > 0 ? 1 : 0;
