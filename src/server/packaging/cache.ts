/**
 * The on-disk sample-media cache: four media directories the server may serve, `keys.json` beside
 * them (never inside), and `manifest.json`, the completeness marker.
 *
 * Generation happens in a staging directory inside the cache directory (same filesystem, so
 * `rename` works); committing moves the results into place and writes the marker last. The marker
 * is removed before anything is replaced, so a crash at any point leaves a cache that is
 * regenerated on the next start, never one that looks complete but is not.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bump whenever the generated media or the cache layout changes, to force regeneration. */
const CACHE_FORMAT_VERSION = 2; // 2: WebVTT captions

export const MEDIA_DIRS = {
  dash: 'sample-dash',
  clearDash: 'clear-dash',
  hls: 'sample-hls',
  clearHls: 'clear-hls',
} as const;
export const DASH_MANIFEST = 'manifest.mpd';
export const HLS_MASTER = 'master.m3u8';
const KEYS_FILE = 'keys.json';
const MARKER_FILE = 'manifest.json';
const STAGING_PREFIX = '.staging-';

/** Only these may end up in a served directory (no keys, key-info files or intermediates). */
const MEDIA_FILE = /\.(mpd|m4s|m3u8|ts|vtt)$/;

/** The generation options that determine the cache's content. */
export interface CacheOptions {
  durationSeconds: number;
  hlsKeyUri: string;
}

export interface CacheKeys {
  dash: { kid: Uint8Array; key: Uint8Array };
  hls: { key: Uint8Array; iv: Uint8Array };
}

interface Marker {
  version: number;
  options: CacheOptions;
}

/** The cache's keys if it is complete and was made with `options` by this format version. */
export async function readCompleteCache(cacheDir: string, options: CacheOptions): Promise<CacheKeys | undefined> {
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
    return decodeKeys(JSON.parse(await readFile(join(cacheDir, KEYS_FILE), 'utf8')));
  } catch {
    return undefined; // missing or unreadable: regenerate
  }
}

/**
 * A fresh staging directory holding empty media directories. Leftovers of an interrupted run
 * are removed first (this assumes one generating process per cache directory).
 */
export async function createStaging(cacheDir: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  for (const entry of await readdir(cacheDir)) {
    if (entry.startsWith(STAGING_PREFIX)) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
  const staging = await mkdtemp(join(cacheDir, STAGING_PREFIX));
  for (const dir of Object.values(MEDIA_DIRS)) await mkdir(join(staging, dir));
  return staging;
}

/** Moves the staged media and keys into the cache and marks it complete. */
export async function commitStaging(staging: string, cacheDir: string, options: CacheOptions, keys: CacheKeys): Promise<void> {
  for (const dir of Object.values(MEDIA_DIRS)) await assertOnlyMedia(join(staging, dir));
  await writeFile(join(staging, KEYS_FILE), JSON.stringify(encodeKeys(keys), null, 2) + '\n', { mode: 0o600 });
  const marker: Marker = { version: CACHE_FORMAT_VERSION, options };
  await writeFile(join(staging, MARKER_FILE), JSON.stringify(marker, null, 2) + '\n');

  await rm(join(cacheDir, MARKER_FILE), { force: true });
  for (const name of [...Object.values(MEDIA_DIRS), KEYS_FILE]) {
    await rm(join(cacheDir, name), { recursive: true, force: true });
    await rename(join(staging, name), join(cacheDir, name));
  }
  await rename(join(staging, MARKER_FILE), join(cacheDir, MARKER_FILE));
}

async function assertOnlyMedia(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !MEDIA_FILE.test(entry.name)) {
      throw new Error(`sample media: unexpected '${entry.name}' in a directory that will be served`);
    }
  }
}

async function requireFile(path: string): Promise<void> {
  if (!(await stat(path)).isFile()) throw new Error(`${path} is not a file`);
}

type StoredKeys = { dash: { kid: string; key: string }; hls: { key: string; iv: string } };

function encodeKeys(keys: CacheKeys): StoredKeys {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return { dash: { kid: hex(keys.dash.kid), key: hex(keys.dash.key) }, hls: { key: hex(keys.hls.key), iv: hex(keys.hls.iv) } };
}

function decodeKeys(stored: StoredKeys): CacheKeys {
  const bytes = (hex: string) => {
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error('keys.json: malformed key');
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  };
  return {
    dash: { kid: bytes(stored.dash.kid), key: bytes(stored.dash.key) },
    hls: { key: bytes(stored.hls.key), iv: bytes(stored.hls.iv) },
  };
}
