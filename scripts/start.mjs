#!/usr/bin/env node
// `npm start`: builds the library only when its inputs changed since the last build, then runs
// the demo (the demo contract: serves on 8080, env PORT overrides, prints `Veil demo ready at <url>`).
// `npm run start:cluster` (`--cluster`) runs the same demo as two replicas behind nginx (scripts/cluster.ts).
// A warm start skips the build (20 s to minutes on a busy machine); a cold one (no dist, or any
// input changed) still builds. `npm test`, `npm run bench` and CI always build. The demo server
// itself runs from a compiled bundle, recompiled (about a second) when any file of it changed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePrerequisites } from './prerequisites.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
// Before a build that would be wasted: without ffmpeg the demo cannot make its media.
const cluster = process.argv.includes('--cluster');
requirePrerequisites(cluster ? ['ffmpeg', 'nginx', 'postgres'] : ['ffmpeg']);

/** What `npm run build` reads: sources, build configuration, dependency versions. */
const INPUTS = ['src', 'rollup.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/** One file from each build step (rollup, tsc, the manifest analyzer); a missing one means "build". */
const OUTPUTS = ['dist/index.js', 'dist/define.js', 'dist/session.js', 'dist/player.js', 'dist/hls.worker.js', 'dist/types/index.d.ts', 'custom-elements.json'];

/** The inputs' content hash of the build `dist` holds (written after a build this script saw). */
const STAMP = 'dist/.build-inputs';

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

/** SHA-256 over every input file's path and bytes (sorted): what changed, not when it was touched. */
function inputsHash() {
  const hash = createHash('sha256');
  const add = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
      return;
    }
    hash.update(`${path}\0${stat.size}\0`).update(readFileSync(path));
  };
  for (const input of INPUTS) add(input);
  return hash.digest('hex');
}

/**
 * Why a build is needed, or undefined. Up to date: every output exists and either the stamp
 * matches the inputs' content (a checkout or merge that touched files without changing them) or
 * every output is newer than every input (a build run by hand, e.g. `npm run build`).
 */
function staleReason(hash) {
  if (oldestOutput() === 0) return 'no build in dist';
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash) return undefined;
  if (oldestOutput() > Math.max(...INPUTS.map(newest))) return undefined;
  return 'sources or build configuration changed since the last build';
}

/**
 * The demo server compiled to one ES module, packages included, kept with the list of files it
 * was built from and their content hash. Running it skips what made a warm start slow: tsx's
 * loader hooks resolving and transforming the demo's ~140 modules, and Node resolving and loading
 * the packages' ~1 300 files one by one (issue 16). It lives directly in `.cache/` so that the
 * demo's `new URL('..', import.meta.url)` still names the repository root.
 */
const DEMO_BUNDLE = '.cache/start-demo.mjs';
const DEMO_BUNDLE_INPUTS = '.cache/start-demo.inputs.json';
/**
 * Left as imports: native addons and optional native parts, pino (its transports start worker
 * files found through `__dirname`), and the prerequisites check, whose command-line block would
 * run inside a bundle (its `import.meta.url` would be the bundle's).
 */
const EXTERNAL = ['better-sqlite3', 'pg-native', '@aws-sdk/signature-v4-crt', 'pino', 'thread-stream'];
const EXTERNAL_FILES = /[/\\]scripts[/\\]prerequisites\.mjs$/;

/** SHA-256 over the files' paths and bytes; a file that is gone changes it too. */
function filesHash(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(existsSync(file) ? readFileSync(file) : '\0missing');
  return hash.digest('hex');
}

async function demoBundle() {
  const known = existsSync(DEMO_BUNDLE_INPUTS) ? JSON.parse(readFileSync(DEMO_BUNDLE_INPUTS, 'utf8')) : undefined;
  if (known && existsSync(DEMO_BUNDLE) && filesHash(known.files) === known.hash) {
    console.log('[start] the compiled demo server matches its sources: not recompiling');
    return DEMO_BUNDLE;
  }
  const { build } = await import('esbuild');
  const started = Date.now();
  const { metafile } = await build({
    entryPoints: ['demo/server.ts'],
    outfile: DEMO_BUNDLE,
    bundle: true,
    external: EXTERNAL,
    plugins: [
      {
        name: 'external-files',
        setup(onBuild) {
          onBuild.onResolve({ filter: /prerequisites\.mjs$/ }, ({ path, resolveDir }) => {
            const file = join(resolveDir, path);
            return EXTERNAL_FILES.test(file) ? { path: `./${relative('.cache', file).replaceAll('\\', '/')}`, external: true } : undefined;
          });
        },
      },
    ],
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    // CommonJS packages inside an ES module still call `require` for Node's built-ins.
    banner: { js: "import { createRequire as veilCreateRequire } from 'node:module'; const require = veilCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  // Our files (package files change only with the lock file), and what decides how they compile
  // (this script's bundling options included).
  const ours = Object.keys(metafile.inputs).filter((file) => !/(^|[/\\])node_modules[/\\]/.test(file));
  const files = [...ours, 'package-lock.json', 'package.json', 'tsconfig.json', 'scripts/start.mjs'].sort();
  writeFileSync(DEMO_BUNDLE_INPUTS, JSON.stringify({ hash: filesHash(files), files }));
  console.log(`[start] compiled the demo server (${files.length} of our files, one changed or none compiled yet) in ${Date.now() - started} ms`);
  return DEMO_BUNDLE;
}

/** Runs a child with the terminal; signals to this process go to it (the build as well as the demo). */
let child;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => (child ? child.kill(signal) : process.exit(1)));
function run(command, args) {
  child = spawn(command, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const hash = inputsHash();
const reason = staleReason(hash);
if (reason) {
  console.log(`[start] building: ${reason}`);
  const code = await run('npm', ['run', 'build']);
  if (code !== 0) process.exit(code);
} else {
  console.log('[start] dist matches src and the build configuration: not rebuilding (npm run build forces it)');
}
writeFileSync(STAMP, `${hash}\n`);
if (cluster) process.exit(await run(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts']));
process.exit(await run(process.execPath, ['--enable-source-maps', await demoBundle()]));
