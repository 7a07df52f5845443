/**
 * Packaging as a library: one media file in, a protected stream out through a `MediaStore`.
 * ffmpeg stream-copies the input (already encoded with aligned, closed GOPs: see `encodeSource`)
 * into DASH or HLS in a private work directory; the project's CENC encryptor protects DASH
 * (ffmpeg 5.1 cannot write usable fragmented CENC); ffmpeg's own AES-128 encrypts HLS. Only
 * files a player may fetch leave the work directory, the manifest last, so a reader never finds
 * a manifest whose segments are not stored yet. The recorder calls this for every upload; the
 * demo for its samples.
 */
import { createDecipheriv } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StreamProtocol } from '../../../protocol/playback.js';
import type { ContentKey } from '../../storage/keys.js';
import type { MediaStore } from '../../storage/media.js';
import { addDashCaptions, addHlsCaptions } from './captions.js';
import { encryptDashDirectory } from './dash.js';
import { HLS_FIRST_SEGMENT, mpegtsStartTimestamp, packageDash, packageHls } from './ffmpeg.js';
import { verifyHlsOutput } from './hls.js';

export const DASH_MANIFEST = 'manifest.mpd';
export const HLS_MASTER = 'master.m3u8';

/** What protects the output, and with which key. */
export type PackagingKeys =
  /** CENC (`cenc` scheme) DASH under one content key. */
  | { scheme: 'cenc'; key: ContentKey }
  /** AES-128 HLS; `keyUri` is written verbatim into every variant's `EXT-X-KEY`, with `iv`. */
  | { scheme: 'hls-aes-128'; key: ContentKey; iv: Uint8Array; keyUri: string }
  /** No protection (baselines for benchmarks; never for a real video). */
  | { scheme: 'clear'; protocol: StreamProtocol };

export interface PackageVideoOptions {
  videoId: string;
  /** Adds the synthetic caption tracks (`CAPTION_TRACKS`) covering this many seconds. */
  captions?: { durationSeconds: number };
  /** Receives `<step> took <seconds>` lines. */
  log?: (line: string) => void;
  /** Video streams in the input, one rendition each (HLS maps them; DASH takes every stream). Default: the samples' two. */
  videoStreams?: number;
}

export interface PackagedVideo {
  protocol: StreamProtocol;
  /** File name of the manifest (DASH) or master playlist (HLS). */
  manifest: string;
  /** Every file written to the MediaStore. */
  files: string[];
}

/** Only these may be written to a MediaStore (no keys, key-info files or intermediates). */
const MEDIA_FILE = /\.(mpd|m4s|m3u8|ts|vtt)$/;

/** The HLS key URI goes into ffmpeg's line-based key-info file and a quoted playlist attribute. */
export function assertHlsKeyUri(keyUri: string): void {
  if (!keyUri || /["\r\n]/.test(keyUri)) throw new TypeError('packaging: the HLS key URI must be non-empty, without quotes or line breaks');
}

export async function packageVideo(input: string, keys: PackagingKeys, media: MediaStore, options: PackageVideoOptions): Promise<PackagedVideo> {
  if (keys.scheme === 'hls-aes-128') assertHlsKeyUri(keys.keyUri);
  const log = options.log ?? (() => {});
  const timed = async <T>(step: string, task: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await task();
    log(`${step} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  const work = await mkdtemp(join(tmpdir(), 'veil-package-'));
  try {
    const out = join(work, 'out');
    await mkdir(out);
    const protocol = keys.scheme === 'cenc' ? 'dash' : keys.scheme === 'hls-aes-128' ? 'hls' : keys.protocol;
    if (protocol === 'dash') {
      if (keys.scheme === 'cenc') {
        const clear = join(work, 'clear');
        await mkdir(clear);
        await timed('DASH packaging', () => packageDash(input, clear, DASH_MANIFEST));
        const dashKey = { kid: hexBytes(keys.key.kid), key: keys.key.key };
        await timed('CENC encryption', () => encryptDashDirectory(clear, out, DASH_MANIFEST, dashKey));
      } else {
        await timed('DASH packaging', () => packageDash(input, out, DASH_MANIFEST));
      }
      if (options.captions) {
        const { durationSeconds } = options.captions;
        await timed('captions', () => addDashCaptions(out, DASH_MANIFEST, durationSeconds));
      }
    } else {
      const mpegts =
        keys.scheme === 'hls-aes-128'
          ? await timed('HLS packaging (AES-128)', () => packageEncryptedHls(input, out, work, keys, options.videoStreams))
          : await timed('HLS packaging (clear)', async () => {
              await packageHls(input, out, HLS_MASTER, undefined, options.videoStreams);
              await verifyHlsOutput(out, HLS_MASTER);
              return mpegtsStartTimestamp(join(out, HLS_FIRST_SEGMENT));
            });
      if (options.captions) {
        const { durationSeconds } = options.captions;
        await timed('captions', () => addHlsCaptions(out, HLS_MASTER, durationSeconds, mpegts));
      }
    }
    const manifest = protocol === 'dash' ? DASH_MANIFEST : HLS_MASTER;
    const files = await mediaFiles(out);
    for (const file of [...files.filter((name) => name !== manifest), manifest]) {
      await media.write(options.videoId, file, Readable.toWeb(createReadStream(join(out, file))) as ReadableStream<Uint8Array>);
    }
    return { protocol, manifest, files };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * AES-128 HLS into `out`; returns the first segment's MPEG-TS start (for caption timing), read
 * from a decrypted copy since ffprobe cannot read an encrypted segment. The key and ffmpeg's
 * key-info file stay in `work`, outside `out`.
 */
async function packageEncryptedHls(input: string, out: string, work: string, keys: Extract<PackagingKeys, { scheme: 'hls-aes-128' }>, videoStreams?: number): Promise<number> {
  const secrets = join(work, 'secrets');
  await mkdir(secrets, { mode: 0o700 });
  const keyFile = join(secrets, 'hls.key');
  const keyInfoFile = join(secrets, 'hls.keyinfo');
  await writeFile(keyFile, keys.key.key, { mode: 0o600 });
  // key-info format: key URI for the playlist, key file path, IV (hex) for the playlist.
  await writeFile(keyInfoFile, `${keys.keyUri}\n${keyFile}\n${Buffer.from(keys.iv).toString('hex')}\n`, { mode: 0o600 });
  await packageHls(input, out, HLS_MASTER, keyInfoFile, videoStreams);
  await verifyHlsOutput(out, HLS_MASTER, keys.keyUri);
  const decipher = createDecipheriv('aes-128-cbc', keys.key.key, keys.iv);
  const firstSegment = join(secrets, HLS_FIRST_SEGMENT);
  await writeFile(firstSegment, Buffer.concat([decipher.update(await readFile(join(out, HLS_FIRST_SEGMENT))), decipher.final()]));
  return mpegtsStartTimestamp(firstSegment);
}

/** The output's files; anything a player may not fetch is an error, never silently dropped. */
async function mediaFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !MEDIA_FILE.test(entry.name)) throw new Error(`packaging: unexpected '${entry.name}' in the output`);
    names.push(entry.name);
  }
  return names.sort();
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
