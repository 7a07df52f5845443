/**
 * Sample media for the demo deployment, generated on first start and cached: ffmpeg encodes a
 * synthetic source once, and `packageVideo` (the library the recorder uses too) packages it four
 * times: CENC DASH and AES-128 HLS to serve, and clear copies of both for benchmarks. Keys are
 * random per cache and live in the cache's own KeyStore, never beside the media in the clear.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeSource, SEGMENT_SECONDS } from '../src/server/media/packaging/ffmpeg.js';
import { assertHlsKeyUri, DASH_MANIFEST, HLS_MASTER, packageVideo, type PackagingKeys } from '../src/server/media/packaging/index.js';
import { FsMediaStore } from '../src/server/storage/fs-media-store.js';
import type { ContentKey } from '../src/server/storage/keys.js';
import { commitStaging, createStaging, MEDIA_DIRS, openCacheKeyStore, readCompleteCache, type CacheKeys, type CacheOptions } from './sample-cache.js';

export interface PackagedDash {
  dir: string;
  /** File name of the MPD inside `dir`: 'manifest.mpd'. */
  manifest: string;
  kid: Uint8Array;
  key: Uint8Array;
  /** Unencrypted copy with the same layout, for benchmarks. */
  clearDir: string;
}

export interface PackagedHls {
  dir: string;
  /** File name of the master playlist inside `dir`: 'master.m3u8'. */
  master: string;
  /** Names the AES-128 key in key stores (HLS itself has no key ids). */
  kid: Uint8Array;
  key: Uint8Array;
  clearDir: string;
}

export interface SampleMedia {
  /** The cache as a MediaStore: sample ids `sample-dash`, `sample-hls`, `clear-dash`, `clear-hls`. */
  store: FsMediaStore;
  dash: PackagedDash;
  hls: PackagedHls;
}

export interface SampleMediaOptions {
  /** Length of the sample, default 60. */
  durationSeconds?: number;
  /** Put verbatim in each HLS variant's EXT-X-KEY URI, e.g. '/api/keys/sample-hls'. */
  hlsKeyUri: string;
  log?: (line: string) => void;
}

const DEFAULT_DURATION_SECONDS = 60;

/**
 * Per cache directory, calls run one after another: concurrent callers then share one generation
 * (the later ones find the finished cache) instead of clearing each other's staging directory.
 */
const queues = new Map<string, Promise<void>>();

/**
 * Returns the sample media in `cacheDir`, generating it first unless a complete cache made with
 * the same options exists. Layout: `sample-dash/`, `clear-dash/`, `sample-hls/`, `clear-hls/`
 * (the only directories to serve), `keys.sqlite` + `keys.kek` and the `manifest.json` marker.
 */
export async function ensureSampleMedia(cacheDir: string, options: SampleMediaOptions): Promise<SampleMedia> {
  const dir = resolve(cacheDir);
  const settings = validate(options);
  const log = options.log ?? (() => {});
  const run = (queues.get(dir) ?? Promise.resolve()).then(() => ensure(dir, settings, log));
  const settled = run.then(
    () => {},
    () => {}, // the caller sees the failure; the next caller just tries again
  );
  queues.set(dir, settled);
  void settled.then(() => {
    if (queues.get(dir) === settled) queues.delete(dir);
  });
  return run;
}

async function ensure(dir: string, settings: CacheOptions, log: (line: string) => void): Promise<SampleMedia> {
  await mkdir(dir, { recursive: true });
  const keyStore = await openCacheKeyStore(dir);
  try {
    const cached = await readCompleteCache(dir, settings, keyStore.keys);
    if (cached) {
      log(`sample media: using cache in ${dir}`);
      return describe(dir, cached);
    }
    log(`sample media: generating ${settings.durationSeconds} s of media in ${dir}`);
    const started = performance.now();
    const keys: CacheKeys = { dash: randomKey(), hls: randomKey() };
    await generate(dir, settings, keys, log);
    log(`sample media: ready in ${seconds(performance.now() - started)}`);
    // The commit wrote the keys; reading them back proves they round-trip through the store.
    return describe(dir, (await readCompleteCache(dir, settings, keyStore.keys)) ?? keys);
  } finally {
    await keyStore.close();
  }

  async function generate(dir: string, settings: CacheOptions, keys: CacheKeys, log: (line: string) => void): Promise<void> {
    const staging = await createStaging(dir);
    try {
      const work = join(staging, 'work');
      await mkdir(work);
      const source = join(work, 'source.mp4');
      const prefixed = (line: string) => log(`sample media: ${line}`);
      const t0 = performance.now();
      await encodeSource(source, settings.durationSeconds);
      prefixed(`encode took ${seconds(performance.now() - t0)}`);
      const staged = new FsMediaStore(staging);
      const captions = { durationSeconds: settings.durationSeconds };
      const targets: Array<[string, PackagingKeys]> = [
        [MEDIA_DIRS.dash, { scheme: 'cenc', key: keys.dash }],
        [MEDIA_DIRS.clearDash, { scheme: 'clear', protocol: 'dash' }],
        [MEDIA_DIRS.hls, { scheme: 'hls-aes-128', key: keys.hls, iv: Uint8Array.from(randomBytes(16)), keyUri: settings.hlsKeyUri }],
        [MEDIA_DIRS.clearHls, { scheme: 'clear', protocol: 'hls' }],
      ];
      // Independent stream copies of the one encode. allSettled, not all: on a failure no ffmpeg
      // may still be writing into the staging directory when it is removed.
      const results = await Promise.allSettled(
        targets.map(([videoId, target]) => packageVideo(source, target, staged, { videoId, captions, log: prefixed })),
      );
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      await rm(work, { recursive: true });
      await commitStaging(staging, dir, settings, keys, keyStore.keys);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

function describe(dir: string, keys: CacheKeys): SampleMedia {
  const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
  const store = new FsMediaStore(dir);
  return {
    store,
    dash: {
      dir: store.dir(MEDIA_DIRS.dash),
      manifest: DASH_MANIFEST,
      kid: bytes(keys.dash.kid),
      key: keys.dash.key,
      clearDir: store.dir(MEDIA_DIRS.clearDash),
    },
    hls: {
      dir: store.dir(MEDIA_DIRS.hls),
      master: HLS_MASTER,
      kid: bytes(keys.hls.kid),
      key: keys.hls.key,
      clearDir: store.dir(MEDIA_DIRS.clearHls),
    },
  };
}

function validate(options: SampleMediaOptions): CacheOptions {
  const durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (!Number.isFinite(durationSeconds) || durationSeconds < SEGMENT_SECONDS) {
    throw new RangeError(`sample media: durationSeconds must be at least ${SEGMENT_SECONDS}`);
  }
  assertHlsKeyUri(options.hlsKeyUri);
  return { durationSeconds, hlsKeyUri: options.hlsKeyUri };
}

function randomKey(): ContentKey {
  return { kid: randomBytes(16).toString('hex'), key: Uint8Array.from(randomBytes(16)) };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
