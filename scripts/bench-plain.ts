/**
 * The benchmark's plain baselines: shaka-player and hls.js pages with no identity, no token and
 * no encryption, served on the demo's own origin (through `wrapService`) from the unencrypted
 * copies of the sample media. The engine bundles are built with rollup's JS API using the same
 * plugins and terser settings as the library build (rollup.config.ts), and cached.
 */
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import type { Handler } from '../src/server/http.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = { dash: 'bench/plain/dash.js', hls: 'bench/plain/hls.js' } as const;

/** URL prefix of everything the baselines need; `/media/` routes reach `wrapService`. */
export const PLAIN_PREFIX = '/media/plain/';
export const PLAIN_PAGES = { dash: `${PLAIN_PREFIX}dash.html`, hls: `${PLAIN_PREFIX}hls.html` } as const;

/**
 * Builds (or reuses) the plain bundles; returns their directory. The cache key covers the entry
 * files, the engines' versions and the rollup config, so a stale bundle is never measured.
 */
export async function buildPlainBundles(options: { minify: boolean | 'if-cached'; log?: (line: string) => void; cacheRoot?: string }): Promise<{ dir: string; minified: boolean }> {
  const { cacheRoot = join(ROOT, '.cache/bench-plain'), log = () => {} } = options;
  const hash = createHash('sha256');
  for (const file of [...Object.values(ENTRIES), 'rollup.config.ts', 'node_modules/shaka-player/package.json', 'node_modules/hls.js/package.json']) {
    hash.update(file).update(await readFile(join(ROOT, file)));
  }
  const key = hash.digest('hex').slice(0, 16);
  const minifiedDir = join(cacheRoot, key);
  const ready = (dir: string) => existsSync(join(dir, 'hls.js'));
  if (options.minify !== false && ready(minifiedDir)) return { dir: minifiedDir, minified: true };
  // 'if-cached' (smoke runs): a minified build takes half a minute; an unminified one seconds.
  const minify = options.minify === true;
  const dir = minify ? minifiedDir : join(cacheRoot, `${key}-unminified`);
  if (ready(dir)) return { dir, minified: minify };
  log(`building the plain shaka-player and hls.js bundles${minify ? '' : ' (unminified)'} (cached afterwards)`);
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  // One self-contained file per page (no shared chunk): each page fetches exactly one bundle.
  for (const name of Object.keys(ENTRIES)) {
    const single = await rollup({
      input: join(ROOT, ENTRIES[name as keyof typeof ENTRIES]),
      // The same plugins and terser settings as rollup.config.ts, minus TypeScript (plain JS entries).
      plugins: [nodeResolve({ browser: true, rootDir: ROOT }), commonjs(), ...(minify ? [terser({ format: { comments: false }, ecma: 2020, module: true })] : [])],
      onwarn(warning, warn) {
        if (warning.code === 'THIS_IS_UNDEFINED') return;
        warn(warning);
      },
    });
    await single.write({ dir: staging, format: 'es', entryFileNames: `${name}.js`, inlineDynamicImports: true });
    await single.close();
  }
  await mkdir(cacheRoot, { recursive: true });
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return { dir, minified: minify };
}

const MEDIA_TYPES: Record<string, string> = {
  '.mpd': 'application/dash+xml',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
};
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function page(title: string, script: string, videoAttributes: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<script type="module" src="${PLAIN_PREFIX}js/${script}"></script>
</head>
<body>
<video ${videoAttributes} width="640" height="360"></video>
</body>
</html>`;
}

export interface PlainRoutesOptions {
  bundleDir: string;
  /** dist/hls.worker.js: the same worker file the demo page gives <veil-player>. */
  hlsWorkerFile: string;
  clearDashDir: string;
  clearHlsDir: string;
}

/**
 * A `wrapService` that answers `/media/plain/*` itself: the two pages, their bundles, and the
 * unencrypted media, read from disk per request like the demo's media route (no token check, no
 * compression, `no-store`). Everything else goes to the real service.
 */
export function plainRoutes(options: PlainRoutesOptions): (service: Handler) => Handler {
  const files: Record<string, () => Promise<Response>> = {
    'dash.html': async () => html(page('plain shaka-player', 'dash.js', `data-src="${PLAIN_PREFIX}clear-dash/manifest.mpd"`)),
    'hls.html': async () =>
      html(page('plain hls.js', 'hls.js', `data-src="${PLAIN_PREFIX}clear-hls/master.m3u8" data-worker="${PLAIN_PREFIX}js/hls.worker.js"`)),
    'js/dash.js': () => script(join(options.bundleDir, 'dash.js')),
    'js/hls.js': () => script(join(options.bundleDir, 'hls.js')),
    'js/hls.worker.js': () => script(options.hlsWorkerFile),
  };
  const mediaDirs: Record<string, string> = { 'clear-dash': options.clearDashDir, 'clear-hls': options.clearHlsDir };
  return (service) => async (request) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(PLAIN_PREFIX) || request.method !== 'GET') return service(request);
    const rest = path.slice(PLAIN_PREFIX.length);
    const file = files[rest];
    if (file) return file();
    const [dir, name, ...more] = rest.split('/');
    const type = name ? MEDIA_TYPES[name.slice(name.lastIndexOf('.'))] : undefined;
    const root = dir ? mediaDirs[dir] : undefined;
    if (!root || !name || !type || more.length || !FILE_NAME.test(name)) return new Response('Not found', { status: 404 });
    try {
      const bytes = await readFile(join(root, name));
      return new Response(new Uint8Array(bytes), { headers: { 'content-type': type, 'cache-control': 'private, no-store' } });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  };
}

function html(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

async function script(file: string): Promise<Response> {
  // The demo serves its own scripts the same way (demo/static.ts): uncompressed, `no-cache`.
  return new Response(new Uint8Array(await readFile(file)), { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } });
}
