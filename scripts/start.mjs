#!/usr/bin/env node
// `npm start`: builds the library only when `dist` is older than its sources, then runs the demo
// (the demo contract: serves on 8080, env PORT overrides, prints `Veil demo ready at <url>`).
// A warm start skips the ~20 s build; a cold one (no dist, or any input changed) still builds.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePrerequisites } from './prerequisites.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
// Before a build that would be wasted: without ffmpeg the demo cannot make its media.
requirePrerequisites(['ffmpeg']);

/** What `npm run build` reads: sources, build configuration, dependency versions. */
const INPUTS = ['src', 'rollup.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/** One file from each build step (rollup, tsc, the manifest analyzer); a missing one means "build". */
const OUTPUTS = ['dist/index.js', 'dist/define.js', 'dist/session.js', 'dist/player.js', 'dist/hls.worker.js', 'dist/types/index.d.ts', 'custom-elements.json'];

/** Newest mtime below `path`; directories count too, so a deleted or renamed file is noticed. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

function oldestOutput() {
  return Math.min(...OUTPUTS.map((path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0));
}

/** Runs a child with the terminal; signals to this process go to it (the build as well as the demo). */
let child;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => (child ? child.kill(signal) : process.exit(1)));
function run(command, args) {
  child = spawn(command, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

if (oldestOutput() <= Math.max(...INPUTS.map(newest))) {
  const code = await run('npm', ['run', 'build']);
  if (code !== 0) process.exit(code);
} else {
  console.log('[start] dist is newer than src and the build configuration: not rebuilding (npm run build forces it)');
}
process.exit(await run(process.execPath, ['--import', 'tsx', 'demo/server.ts']));
