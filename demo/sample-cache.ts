/**
 * The on-disk sample-media cache: four media directories (a `FsMediaStore` layout, one per
 * sample id), their content keys in a `KeyStore` of the cache's own (`keys.sqlite`, wrapped by
 * the key file `keys.kek`), and `manifest.json`, the completeness marker.
 *
 * Generation writes into a staging directory inside the cache directory (same filesystem, so
 * `rename` works); committing moves the results into place, stores the keys and writes the
 * marker last. The marker is removed before anything is replaced, so a crash at any point leaves
 * a cache that is regenerated on the next start, never one that looks complete but is not.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DASH_MANIFEST, HLS_MASTER } from '../src/server/media/packaging/index.js';
import type { ContentKey, KeyStore } from '../src/server/storage/keys.js';
import { openSqliteStorage, type SqliteStorage } from '../src/server/storage/sqlite.js';

/** Bump whenever the generated media or the cache layout changes, to force regeneration. */
const CACHE_FORMAT_VERSION = 3; // 2: WebVTT captions; 3: keys in a KeyStore, not keys.json

export const MEDIA_DIRS = {
  dash: 'sample-dash',
  clearDash: 'clear-dash',
  hls: 'sample-hls',
  clearHls: 'clear-hls',
} as const;
const MARKER_FILE = 'manifest.json';
const STAGING_PREFIX = '.staging-';

/** The generation options that determine the cache's content. */
export interface CacheOptions {
  durationSeconds: number;
  hlsKeyUri: string;
}

export interface CacheKeys {
  dash: ContentKey;
  hls: ContentKey;
}

interface Marker {
  version: number;
  options: CacheOptions;
}

/** The cache's own key store; the sample keys never sit in a plain file. */
export function openCacheKeyStore(cacheDir: string): Promise<SqliteStorage> {
  // Retired signing keys are irrelevant here: the cache stores content keys only.
  return openSqliteStorage({ file: join(cacheDir, 'keys.sqlite'), kek: { file: join(cacheDir, 'keys.kek') }, signingKeyRetentionSeconds: 0 });
}

/** The cache's keys if it is complete and was made with `options` by this format version. */
export async function readCompleteCache(cacheDir: string, options: CacheOptions, keys: KeyStore): Promise<CacheKeys | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(cacheDir, MARKER_FILE), 'utf8')) as Marker;
    if (
      marker.version !== CACHE_FORMAT_VERSION ||
      marker.options?.durationSeconds !== options.durationSeconds ||
      marker.options?.hlsKeyUri !== options.hlsKeyUri
    ) {
      return undefined;
    }
    await Promise.all([
      requireFile(join(cacheDir, MEDIA_DIRS.dash, DASH_MANIFEST)),
      requireFile(join(cacheDir, MEDIA_DIRS.clearDash, DASH_MANIFEST)),
      requireFile(join(cacheDir, MEDIA_DIRS.hls, HLS_MASTER)),
      requireFile(join(cacheDir, MEDIA_DIRS.clearHls, HLS_MASTER)),
    ]);
    const [dash] = await keys.get(MEDIA_DIRS.dash);
    const [hls] = await keys.get(MEDIA_DIRS.hls);
    return dash && hls ? { dash, hls } : undefined;
  } catch {
    return undefined; // missing or unreadable: regenerate
  }
}

/**
 * A fresh staging directory. Leftovers of an interrupted run are removed first (this assumes
 * one generating process per cache directory).
 */
export async function createStaging(cacheDir: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  for (const entry of await readdir(cacheDir)) {
    if (entry.startsWith(STAGING_PREFIX)) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
  return mkdtemp(join(cacheDir, STAGING_PREFIX));
}

/** Moves the staged media into the cache, stores the keys and marks the cache complete. */
export async function commitStaging(staging: string, cacheDir: string, options: CacheOptions, keys: CacheKeys, keyStore: KeyStore): Promise<void> {
  const marker: Marker = { version: CACHE_FORMAT_VERSION, options };
  await writeFile(join(staging, MARKER_FILE), JSON.stringify(marker, null, 2) + '\n');

  await rm(join(cacheDir, MARKER_FILE), { force: true });
  for (const name of Object.values(MEDIA_DIRS)) {
    await rm(join(cacheDir, name), { recursive: true, force: true });
    await rename(join(staging, name), join(cacheDir, name));
  }
  await keyStore.put(MEDIA_DIRS.dash, [keys.dash]);
  await keyStore.put(MEDIA_DIRS.hls, [keys.hls]);
  await rename(join(staging, MARKER_FILE), join(cacheDir, MARKER_FILE));
}

async function requireFile(path: string): Promise<void> {
  if (!(await stat(path)).isFile()) throw new Error(`${path} is not a file`);
}
