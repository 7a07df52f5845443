/**
 * Sample media for the reference deployment, generated on first start and cached: ffmpeg encodes
 * a synthetic source once, packages it as DASH and HLS, and the project's own CENC encryptor
 * protects the DASH output (ffmpeg 5.1 cannot write usable fragmented CENC). Keys are random per
 * cache and live beside the media directories, never inside one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  commitStaging,
  createStaging,
  readCompleteCache,
  DASH_MANIFEST,
  HLS_MASTER,
  MEDIA_DIRS,
  type CacheKeys,
  type CacheOptions,
} from './cache.js';
import { addDashCaptions, addHlsCaptions } from './captions.js';
import { encryptDashDirectory } from './dash.js';
import { encodeSource, HLS_FIRST_SEGMENT, mpegtsStartTimestamp, packageDash, packageHls, SEGMENT_SECONDS } from './ffmpeg.js';
import { verifyHlsOutput } from './hls.js';

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
  key: Uint8Array;
  clearDir: string;
}

export interface SampleMedia {
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
 * (the only directories to serve), `keys.json` and the `manifest.json` marker.
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
  const cached = await readCompleteCache(dir, settings);
  if (cached) {
    log(`sample media: using cache in ${dir}`);
    return describe(dir, cached);
  }
  log(`sample media: generating ${settings.durationSeconds} s of media in ${dir}`);
  const started = performance.now();
  const keys: CacheKeys = {
    dash: { kid: random16(), key: random16() },
    hls: { key: random16(), iv: random16() },
  };
  const staging = await createStaging(dir);
  // The HLS key and ffmpeg's key-info file go to a private temp dir, far from anything served.
  const secrets = await mkdtemp(join(tmpdir(), 'veil-hls-key-'));
  try {
    const work = join(staging, 'work');
    await mkdir(work);
    const source = join(work, 'source.mp4');
    const stage = (name: string) => join(staging, name);
    const timed = async (step: string, task: () => Promise<void>) => {
      const t0 = performance.now();
      await task();
      log(`sample media: ${step} took ${seconds(performance.now() - t0)}`);
    };

    await timed('encode', () => encodeSource(source, settings.durationSeconds));
    // Independent stream copies of the one encode. allSettled, not all: on a failure no ffmpeg
    // may still be writing into the staging directory when it is removed.
    const results = await Promise.allSettled([
      timed('DASH packaging', () => packageDash(source, stage(MEDIA_DIRS.clearDash), DASH_MANIFEST)).then(() =>
        timed('CENC encryption', () =>
          encryptDashDirectory(stage(MEDIA_DIRS.clearDash), stage(MEDIA_DIRS.dash), DASH_MANIFEST, keys.dash),
        ),
      ),
      timed('HLS packaging (clear)', async () => {
        await packageHls(source, stage(MEDIA_DIRS.clearHls), HLS_MASTER);
        await verifyHlsOutput(stage(MEDIA_DIRS.clearHls), HLS_MASTER);
      }),
      timed('HLS packaging (AES-128)', async () => {
        const keyFile = join(secrets, 'hls.key');
        const keyInfoFile = join(secrets, 'hls.keyinfo');
        await writeFile(keyFile, keys.hls.key, { mode: 0o600 });
        // key-info format: key URI for the playlist, key file path, IV (hex) for the playlist.
        const keyInfo = `${settings.hlsKeyUri}\n${keyFile}\n${Buffer.from(keys.hls.iv).toString('hex')}\n`;
        await writeFile(keyInfoFile, keyInfo, { mode: 0o600 });
        await packageHls(source, stage(MEDIA_DIRS.hls), HLS_MASTER, keyInfoFile);
        await verifyHlsOutput(stage(MEDIA_DIRS.hls), HLS_MASTER, settings.hlsKeyUri);
      }),
    ]);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    // Captions last: the encryptor never sees text, and both copies get the same files.
    await timed('captions', async () => {
      for (const dir of [MEDIA_DIRS.clearDash, MEDIA_DIRS.dash]) await addDashCaptions(stage(dir), DASH_MANIFEST, settings.durationSeconds);
      const mpegts = await mpegtsStartTimestamp(join(stage(MEDIA_DIRS.clearHls), HLS_FIRST_SEGMENT));
      for (const dir of [MEDIA_DIRS.clearHls, MEDIA_DIRS.hls]) await addHlsCaptions(stage(dir), HLS_MASTER, settings.durationSeconds, mpegts);
    });
    await rm(work, { recursive: true });
    await commitStaging(staging, dir, settings, keys);
  } finally {
    await rm(secrets, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
  log(`sample media: ready in ${seconds(performance.now() - started)}`);
  return describe(dir, keys);
}

function describe(dir: string, keys: CacheKeys): SampleMedia {
  return {
    dash: {
      dir: join(dir, MEDIA_DIRS.dash),
      manifest: DASH_MANIFEST,
      kid: keys.dash.kid,
      key: keys.dash.key,
      clearDir: join(dir, MEDIA_DIRS.clearDash),
    },
    hls: {
      dir: join(dir, MEDIA_DIRS.hls),
      master: HLS_MASTER,
      key: keys.hls.key,
      clearDir: join(dir, MEDIA_DIRS.clearHls),
    },
  };
}

function validate(options: SampleMediaOptions): CacheOptions {
  const durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (!Number.isFinite(durationSeconds) || durationSeconds < SEGMENT_SECONDS) {
    throw new RangeError(`sample media: durationSeconds must be at least ${SEGMENT_SECONDS}`);
  }
  // The URI is written into ffmpeg's line-based key-info file and a quoted playlist attribute.
  if (!options.hlsKeyUri || /["\r\n]/.test(options.hlsKeyUri)) {
    throw new TypeError('sample media: hlsKeyUri must be a non-empty URI without quotes or line breaks');
  }
  return { durationSeconds, hlsKeyUri: options.hlsKeyUri };
}

function random16(): Uint8Array {
  return Uint8Array.from(randomBytes(16));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
