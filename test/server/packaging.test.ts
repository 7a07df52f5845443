/**
 * Sample-media generation end to end, with real ffmpeg: the CENC output decrypts bit-exactly with
 * ffmpeg's own decryptor, carries the boxes browsers need, the HLS output is AES-128 encrypted and
 * complete, the cache is reused untouched, and no key material ends up anywhere that is served.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COMMON_SYSTEM_ID, encryptMediaSegment, readTracks } from '../../src/server/media/packaging/cenc.js';
import { playlistUris } from '../../src/server/media/packaging/hls.js';
import { openCacheKeyStore } from '../../demo/sample-cache.js';
import { ensureSampleMedia, type SampleMedia } from '../../demo/sample-media.js';
import { dataView, fourcc, fullBoxHeader, parseBoxes, requireChild, requirePath, type ParsedBox } from '../../src/server/media/packaging/mp4.js';
import { uuidString } from '../../src/server/media/packaging/mpd.js';

const KEY_URI = '/api/keys/sample-hls';
const DURATION = 6;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

let cacheDir: string;
let media: SampleMedia;
const logs: string[] = [];

before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'veil-packaging-test-'));
  media = await ensureSampleMedia(cacheDir, { durationSeconds: DURATION, hlsKeyUri: KEY_URI, log: (line) => logs.push(line) });
});

after(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** Runs ffmpeg with `input` on stdin. A pipe is not seekable, which keeps ffmpeg 5.1's mov
 * demuxer from reading ahead across fragments (it then applies one fragment's `senc` to another's
 * samples); reading fragments in order is also what a player does. */
function ffmpegStdin(args: readonly string[], input: Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {}); // ffmpeg may stop reading early when the input is garbage
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Per-packet `stream, dts, pts, duration, size, md5` lines (side data columns dropped). */
function frameHashes(framemd5: string): string[] {
  return framemd5
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',').slice(0, 6).map((field) => field.trim()).join(','));
}

async function representations(dir: string): Promise<Map<string, { init: string; segments: string[] }>> {
  const files = (await readdir(dir)).sort();
  const reps = new Map<string, { init: string; segments: string[] }>();
  for (const file of files) {
    const id = /^init-(\w+)\.m4s$/.exec(file)?.[1];
    if (id !== undefined) reps.set(id, { init: file, segments: files.filter((f) => f.startsWith(`chunk-${id}-`)) });
  }
  return reps;
}

async function concatRepresentation(dir: string, rep: { init: string; segments: string[] }): Promise<Buffer> {
  return Buffer.concat(await Promise.all([rep.init, ...rep.segments].map((file) => readFile(join(dir, file)))));
}

function topLevel(bytes: Uint8Array, type: string): ParsedBox[] {
  return parseBoxes(bytes).filter((box) => box.type === type);
}

describe('CENC DASH', () => {
  test('has two video representations and one audio representation, like the clear copy', async () => {
    const reps = await representations(media.dash.dir);
    assert.equal(reps.size, 3);
    for (const rep of reps.values()) assert.ok(rep.segments.length >= DURATION / 2, `${rep.init} has segments`);
    assert.deepEqual(await representations(media.dash.clearDir), reps);
  });

  test('decrypts bit-exactly with ffmpeg -decryption_key, and not without it', async () => {
    const key = hex(media.dash.key);
    for (const rep of (await representations(media.dash.dir)).values()) {
      const encrypted = await concatRepresentation(media.dash.dir, rep);
      const clear = await concatRepresentation(media.dash.clearDir, rep);

      const clearPackets = await ffmpegStdin(['-i', 'pipe:0', '-map', '0', '-c', 'copy', '-f', 'framemd5', '-'], clear);
      const decryptedPackets = await ffmpegStdin(['-decryption_key', key, '-i', 'pipe:0', '-map', '0', '-c', 'copy', '-f', 'framemd5', '-'], encrypted);
      assert.equal(clearPackets.code, 0, clearPackets.stderr);
      assert.equal(decryptedPackets.code, 0, decryptedPackets.stderr);
      assert.ok(frameHashes(clearPackets.stdout).length >= 3 * DURATION, `${rep.init}: packets`);
      assert.deepEqual(frameHashes(decryptedPackets.stdout), frameHashes(clearPackets.stdout), `${rep.init}: packets`);

      const clearFrames = await ffmpegStdin(['-i', 'pipe:0', '-map', '0', '-f', 'framemd5', '-'], clear);
      const decryptedFrames = await ffmpegStdin(['-decryption_key', key, '-i', 'pipe:0', '-map', '0', '-f', 'framemd5', '-'], encrypted);
      assert.equal(decryptedFrames.code, 0, decryptedFrames.stderr);
      assert.equal(decryptedFrames.stderr, '', 'decoding the decrypted stream reports no errors');
      assert.ok(frameHashes(clearFrames.stdout).length >= 3 * DURATION, `${rep.init}: frames`);
      assert.deepEqual(frameHashes(decryptedFrames.stdout), frameHashes(clearFrames.stdout), `${rep.init}: decoded frames`);

      const withoutKey = await ffmpegStdin(['-i', 'pipe:0', '-map', '0', '-f', 'framemd5', '-'], encrypted);
      assert.notDeepEqual(frameHashes(withoutKey.stdout), frameHashes(clearFrames.stdout), `${rep.init}: decodes without the key`);
    }
  });

  test('media samples are actually encrypted (mdat payloads differ from the clear ones)', async () => {
    for (const rep of (await representations(media.dash.dir)).values()) {
      for (const segment of rep.segments) {
        const [encMdat] = topLevel(await readFile(join(media.dash.dir, segment)), 'mdat');
        const [clearMdat] = topLevel(await readFile(join(media.dash.clearDir, segment)), 'mdat');
        assert.ok(encMdat && clearMdat);
        assert.equal(encMdat.body.length, clearMdat.body.length, 'CTR keeps sizes');
        let differing = 0;
        for (let i = 0; i < encMdat.body.length; i++) if (encMdat.body[i] !== clearMdat.body[i]) differing++;
        // Video keeps NAL headers and parameter sets clear, so "most" rather than "all" bytes change.
        assert.ok(differing > encMdat.body.length * 0.8, `${segment}: only ${differing}/${encMdat.body.length} bytes encrypted`);
      }
    }
  });

  test('the encryptor leaves its (Buffer) input untouched and refuses to encrypt twice', async () => {
    const tracks = readTracks(await readFile(join(media.dash.clearDir, 'init-0.m4s')));
    const clear = await readFile(join(media.dash.clearDir, 'chunk-0-00001.m4s'));
    const copy = Buffer.from(clear);
    const encrypted = encryptMediaSegment(clear, tracks, media.dash.key);
    assert.ok(clear.equals(copy), 'input unchanged');
    assert.throws(() => encryptMediaSegment(encrypted, tracks, media.dash.key), /already encrypted/);
  });

  test('init segments declare cenc protection with the KID and a common pssh', async () => {
    const reps = await representations(media.dash.dir);
    const formats: string[] = [];
    for (const rep of reps.values()) {
      const boxes = parseBoxes(await readFile(join(media.dash.dir, rep.init)));
      const stsd = requirePath(boxes, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']);
      const [entry] = stsd.children!;
      assert.ok(entry && ['encv', 'enca'].includes(entry.type), `protected sample entry, got ${entry?.type}`);
      const sinf = requireChild(entry, 'sinf');
      const original = fourcc(requireChild(sinf, 'frma').body, 0);
      formats.push(`${entry.type}:${original}`);
      const schm = requireChild(sinf, 'schm');
      assert.equal(fourcc(schm.body, 4), 'cenc');
      assert.equal(dataView(schm.body).getUint32(8), 0x00010000);
      const tenc = requireChild(requireChild(sinf, 'schi'), 'tenc').body;
      assert.equal(tenc[6], 1, 'default_isProtected');
      assert.equal(tenc[7], 8, 'default_Per_Sample_IV_Size');
      assert.equal(hex(tenc.subarray(8, 24)), hex(media.dash.kid), 'default_KID');

      const pssh = requireChild(requirePath(boxes, ['moov']), 'pssh').body;
      assert.equal(fullBoxHeader(pssh).version, 1);
      assert.equal(hex(pssh.subarray(4, 20)), hex(COMMON_SYSTEM_ID));
      assert.equal(dataView(pssh).getUint32(20), 1, 'KID count');
      assert.equal(hex(pssh.subarray(24, 40)), hex(media.dash.kid));
    }
    assert.deepEqual(formats.sort(), ['enca:mp4a', 'encv:avc1', 'encv:avc1']);
  });

  test('every traf has senc/saiz/saio that agree with trun, and offsets and sidx are fixed up', async () => {
    for (const rep of (await representations(media.dash.dir)).values()) {
      for (const segment of rep.segments) {
        const bytes = await readFile(join(media.dash.dir, segment));
        const top = parseBoxes(bytes);
        const moof = requireChild({ children: top }, 'moof');
        const mdat = requireChild({ children: top }, 'mdat');
        const traf = requireChild(moof, 'traf');
        const senc = requireChild(traf, 'senc');
        const saiz = requireChild(traf, 'saiz');
        const saio = requireChild(traf, 'saio');
        const trun = requireChild(traf, 'trun');
        const trunView = dataView(trun.body);
        const sampleCount = trunView.getUint32(4);
        assert.equal(moof.start + trunView.getInt32(8), mdat.start + 8, `${segment}: trun.data_offset points at mdat data`);

        // Sample sizes: ffmpeg writes them per sample in trun (flag 0x200).
        const trunFlags = fullBoxHeader(trun.body).flags;
        assert.ok(trunFlags & 0x200);
        const perSample = 4 * [0x100, 0x200, 0x400, 0x800].filter((flag) => trunFlags & flag).length;
        const sizeAt = 12 + (trunFlags & 0x4 ? 4 : 0) + (trunFlags & 0x100 ? 4 : 0);
        const sizes = Array.from({ length: sampleCount }, (_, i) => trunView.getUint32(sizeAt + i * perSample));

        const sencView = dataView(senc.body);
        assert.equal(sencView.getUint32(4), sampleCount, `${segment}: senc sample count`);
        const subsamples = (fullBoxHeader(senc.body).flags & 0x2) !== 0;
        assert.equal(subsamples, rep.init !== 'init-2.m4s', `${segment}: subsamples for video only`);
        const entrySizes: number[] = [];
        let pos = 8;
        for (let i = 0; i < sampleCount; i++) {
          const start = pos;
          pos += 8;
          if (subsamples) {
            const count = sencView.getUint16(pos);
            pos += 2;
            let total = 0;
            for (let s = 0; s < count; s++) {
              const encrypted = sencView.getUint32(pos + 2);
              assert.equal(encrypted % 16, 0, 'encrypted ranges are whole AES blocks');
              total += sencView.getUint16(pos) + encrypted;
              pos += 6;
            }
            assert.equal(total, sizes[i], `${segment}: subsamples cover sample ${i}`);
          }
          entrySizes.push(pos - start);
        }
        assert.equal(pos, senc.body.length);

        const saizView = dataView(saiz.body);
        assert.equal(saizView.getUint32(5), sampleCount);
        const defaultSize = saiz.body[4]!;
        const saizSizes = defaultSize ? Array(sampleCount).fill(defaultSize) : Array.from(saiz.body.subarray(9));
        assert.deepEqual(saizSizes, entrySizes, `${segment}: saiz`);

        const saioView = dataView(saio.body);
        assert.equal(saioView.getUint32(4), 1);
        assert.equal(moof.start + saioView.getUint32(8), senc.start + 16, `${segment}: saio points at the first IV`);

        const sidx = requireChild({ children: top }, 'sidx');
        const sidxView = dataView(sidx.body);
        const v1 = fullBoxHeader(sidx.body).version === 1;
        const firstOffset = Number(v1 ? sidxView.getBigUint64(20) : sidxView.getUint32(16));
        const refs = v1 ? 32 : 24;
        assert.equal(sidxView.getUint16(refs - 2), 1);
        assert.equal(sidx.start + sidx.size + firstOffset, moof.start);
        assert.equal(sidxView.getUint32(refs) & 0x7fffffff, moof.size + mdat.size, `${segment}: sidx referenced_size`);
      }
    }
  });

  test('the MPD declares mp4protection (cenc, default KID) and ClearKey in every AdaptationSet, without a license URL', async () => {
    const mpd = await readFile(join(media.dash.dir, media.dash.manifest), 'utf8');
    assert.equal(media.dash.manifest, 'manifest.mpd');
    assert.match(mpd, /<MPD xmlns:cenc="urn:mpeg:cenc:2013"/);
    const sets = mpd.split('<AdaptationSet').slice(1).filter((set) => !set.includes('contentType="text"'));
    assert.equal(sets.length, 2);
    const kid = uuidString(media.dash.kid);
    for (const set of sets) {
      assert.ok(
        set.includes(`<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="${kid}"/>`),
      );
      const clearKey = /<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"[^>]*><cenc:pssh>([^<]+)<\/cenc:pssh>/.exec(set);
      assert.ok(clearKey, 'ClearKey ContentProtection with pssh');
      const pssh = Buffer.from(clearKey[1]!, 'base64');
      assert.equal(fourcc(pssh, 4), 'pssh');
      assert.equal(hex(pssh.subarray(12, 28)), hex(COMMON_SYSTEM_ID));
      assert.equal(hex(pssh.subarray(32, 48)), hex(media.dash.kid));
    }
    assert.doesNotMatch(mpd, /laurl|license|https?:\/\/(?!www\.w3\.org|standards\.iso\.org)/i);
    assert.doesNotMatch(mpd, /(?:src|media|initialization)="(?:\/|[a-z]+:)/i, 'relative segment URLs');
    const clearMpd = await readFile(join(media.dash.clearDir, media.dash.manifest), 'utf8');
    assert.doesNotMatch(clearMpd, /ContentProtection/);
  });
});

describe('AES-128 HLS', () => {
  test('the master lists two variants, each encrypted with the configured key URI and a fixed IV', async () => {
    assert.equal(media.hls.master, 'master.m3u8');
    const variants = playlistUris(await readFile(join(media.hls.dir, media.hls.master), 'utf8'));
    assert.equal(variants.length, 2);
    for (const variant of variants) {
      const playlist = await readFile(join(media.hls.dir, variant), 'utf8');
      assert.match(playlist, /#EXT-X-PLAYLIST-TYPE:VOD/);
      assert.match(playlist, /#EXT-X-ENDLIST/);
      const keys = playlist.match(/#EXT-X-KEY:.*/g) ?? [];
      assert.equal(keys.length, 1);
      assert.match(keys[0]!, new RegExp(`^#EXT-X-KEY:METHOD=AES-128,URI="${KEY_URI}",IV=0x[0-9a-f]{32}$`));
      for (const segment of playlistUris(playlist)) assert.match(segment, /^[\w.-]+\.ts$/, 'relative segment names');
    }
  });

  test('segments are not plain MPEG-TS and decrypt (AES-128-CBC) to the clear segments', async () => {
    const variants = playlistUris(await readFile(join(media.hls.dir, media.hls.master), 'utf8'));
    let checked = 0;
    for (const variant of variants) {
      const playlist = await readFile(join(media.hls.dir, variant), 'utf8');
      const iv = Buffer.from(/IV=0x([0-9a-f]{32})/.exec(playlist)![1]!, 'hex');
      for (const segment of playlistUris(playlist)) {
        const encrypted = await readFile(join(media.hls.dir, segment));
        // Plain MPEG-TS has the sync byte 0x47 at every 188-byte packet start; one ciphertext byte
        // is 0x47 by chance (1 in 256), so look at every packet start, not just the first.
        const packetStarts = Math.floor(encrypted.length / 188);
        let syncBytes = 0;
        for (let i = 0; i < packetStarts; i++) if (encrypted[i * 188] === 0x47) syncBytes++;
        assert.ok(syncBytes < packetStarts / 2, `${segment} is encrypted (${syncBytes} of ${packetStarts} packet starts are 0x47)`);
        const decipher = createDecipheriv('aes-128-cbc', media.hls.key, iv);
        const decrypted = Buffer.concat([decipher.update(encrypted), decipher.final()]);
        assert.equal(decrypted.length % 188, 0);
        for (let i = 0; i < decrypted.length; i += 188) assert.equal(decrypted[i], 0x47, `${segment}: TS sync at ${i}`);
        assert.ok(decrypted.equals(await readFile(join(media.hls.clearDir, segment))), `${segment} matches clear-hls`);
        checked++;
      }
    }
    assert.ok(checked >= 2 * (DURATION / 2));
  });
});

describe('WebVTT captions', () => {
  const LANGS = ['en', 'fr'];

  /** Cue start times and texts of a WebVTT file. */
  function cues(vtt: string): { start: string; text: string }[] {
    return [...vtt.matchAll(/^(\d\d:\d\d:\d\d\.\d{3}) --> \d\d:\d\d:\d\d\.\d{3}\n(.+)$/gm)].map((m) => ({ start: m[1]!, text: m[2]! }));
  }

  test('DASH: one text AdaptationSet (text/vtt, no ContentProtection) per language, the same clear file in both copies', async () => {
    for (const dir of [media.dash.dir, media.dash.clearDir]) {
      const mpd = await readFile(join(dir, media.dash.manifest), 'utf8');
      const textSets = mpd.split('<AdaptationSet').slice(1).filter((set) => set.includes('contentType="text"'));
      assert.deepEqual(textSets.map((set) => /lang="(\w+)"/.exec(set)?.[1]), LANGS);
      for (const [i, set] of textSets.entries()) {
        assert.match(set, /mimeType="text\/vtt"/);
        assert.doesNotMatch(set.split('</AdaptationSet>')[0]!, /ContentProtection/, 'captions are not encrypted');
        assert.match(set, new RegExp(`<BaseURL>captions-${LANGS[i]}\\.vtt</BaseURL>`));
      }
    }
    for (const lang of LANGS) {
      const served = await readFile(join(media.dash.dir, `captions-${lang}.vtt`), 'utf8');
      assert.equal(served, await readFile(join(media.dash.clearDir, `captions-${lang}.vtt`), 'utf8'), 'the encryptor left text alone');
      assert.match(served, /^WEBVTT\n/);
      const list = cues(served);
      assert.equal(list.length, Math.ceil(DURATION / 4));
      assert.deepEqual(list[0], { start: '00:00:00.000', text: lang === 'en' ? 'Caption 1 — 0:00 to 0:04' : 'Sous-titre 1 — 0:00 à 0:04' });
    }
  });

  test('HLS: a SUBTITLES group in the master, referenced by every variant, with a playlist and a mapped VTT per language', async () => {
    const master = await readFile(join(media.hls.dir, media.hls.master), 'utf8');
    const groups = master.match(/^#EXT-X-MEDIA:TYPE=SUBTITLES,.*$/gm) ?? [];
    assert.deepEqual(groups.map((line) => /LANGUAGE="(\w+)"/.exec(line)?.[1]), LANGS);
    for (const line of master.match(/^#EXT-X-STREAM-INF:.*$/gm) ?? []) assert.match(line, /,SUBTITLES="subs"$/);
    assert.equal(playlistUris(master).length, 2, 'still two variants');
    const firstTs = await readFile(join(media.hls.clearDir, 'stream_0_00000.ts'));
    assert.equal(firstTs[0], 0x47);
    for (const lang of LANGS) {
      const playlist = await readFile(join(media.hls.dir, `captions-${lang}.m3u8`), 'utf8');
      assert.deepEqual(playlistUris(playlist), [`captions-${lang}.vtt`]);
      assert.match(playlist, /#EXT-X-ENDLIST/);
      assert.doesNotMatch(playlist, /EXT-X-KEY/, 'captions are not encrypted');
      const vtt = await readFile(join(media.hls.dir, `captions-${lang}.vtt`), 'utf8');
      const map = /^X-TIMESTAMP-MAP=MPEGTS:(\d+),LOCAL:00:00:00\.000$/m.exec(vtt);
      assert.ok(map, 'X-TIMESTAMP-MAP');
      // ffmpeg's MPEG-TS muxer starts near 1.4 s; the map points cue time 0 there.
      assert.ok(Math.abs(Number(map[1]) / 90_000 - 1.4) < 0.3, `MPEGTS ${map[1]}`);
      assert.equal(cues(vtt).length, Math.ceil(DURATION / 4));
    }
  });
});

describe('cache', () => {
  async function snapshot(dir: string): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    for (const entry of await readdir(dir, { recursive: true })) {
      times.set(entry, (await stat(join(dir, entry))).mtimeMs);
    }
    return times;
  }

  test('a second call reuses the cache without touching any file', async () => {
    const before = await snapshot(cacheDir);
    const started = performance.now();
    const again = await ensureSampleMedia(cacheDir, { durationSeconds: DURATION, hlsKeyUri: KEY_URI });
    assert.ok(performance.now() - started < 1000, 'reuse is instant');
    assert.deepEqual(await snapshot(cacheDir), before);
    assert.deepEqual(again, media);
  });

  test('the layout is the documented one and no key material is inside a served directory', async () => {
    const entries = (await readdir(cacheDir)).sort();
    assert.deepEqual(entries, ['clear-dash', 'clear-hls', 'keys.kek', 'keys.sqlite', 'manifest.json', 'sample-dash', 'sample-hls']);
    // The keys are in the cache's KeyStore, wrapped: no plain copy in its database file.
    const keyStore = await openCacheKeyStore(cacheDir);
    try {
      assert.equal(hex((await keyStore.keys.get('sample-dash'))[0]!.key), hex(media.dash.key));
      assert.equal(hex((await keyStore.keys.get('sample-hls'))[0]!.key), hex(media.hls.key));
    } finally {
      await keyStore.close();
    }
    assert.equal((await stat(join(cacheDir, 'keys.kek'))).mode & 0o777, 0o600);
    const marker = JSON.parse(await readFile(join(cacheDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(marker.options, { durationSeconds: DURATION, hlsKeyUri: KEY_URI });
    assert.equal(typeof marker.version, 'number');

    const secrets = [media.dash.key, media.hls.key].flatMap((key) => [Buffer.from(key), Buffer.from(hex(key)), Buffer.from(Buffer.from(key).toString('base64'))]);
    const database = await readFile(join(cacheDir, 'keys.sqlite'));
    for (const secret of secrets) assert.equal(database.indexOf(secret), -1, 'keys.sqlite holds no plain key');
    for (const dir of [media.dash.dir, media.dash.clearDir, media.hls.dir, media.hls.clearDir]) {
      for (const file of await readdir(dir)) {
        assert.match(file, /\.(mpd|m4s|m3u8|ts|vtt)$/, `${file} may be served`);
        const content = await readFile(join(dir, file));
        for (const secret of secrets) assert.equal(content.indexOf(secret), -1, `${dir}/${file} contains key material`);
      }
    }
  });

  test('an incomplete cache or different options are regenerated with fresh keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veil-packaging-regen-'));
    try {
      const first = await ensureSampleMedia(dir, { durationSeconds: 2, hlsKeyUri: KEY_URI });
      // A crash mid-commit leaves no marker (and maybe a staging leftover): must not be trusted.
      await rm(join(dir, 'manifest.json'));
      await writeFile(join(dir, '.staging-leftover'), 'x');
      const second = await ensureSampleMedia(dir, { durationSeconds: 2, hlsKeyUri: KEY_URI });
      assert.notEqual(hex(second.dash.key), hex(first.dash.key));
      assert.ok(!(await readdir(dir)).some((entry) => entry.startsWith('.staging-')), 'staging cleaned up');

      const otherUri = '/api/keys/other';
      const third = await ensureSampleMedia(dir, { durationSeconds: 2, hlsKeyUri: otherUri });
      assert.notEqual(hex(third.hls.key), hex(second.hls.key));
      const variant = playlistUris(await readFile(join(third.hls.dir, third.hls.master), 'utf8'))[0]!;
      assert.match(await readFile(join(third.hls.dir, variant), 'utf8'), new RegExp(`URI="${otherUri}"`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('concurrent calls share one generation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veil-packaging-concurrent-'));
    try {
      const [a, b] = await Promise.all([
        ensureSampleMedia(dir, { durationSeconds: 2, hlsKeyUri: KEY_URI }),
        ensureSampleMedia(dir, { durationSeconds: 2, hlsKeyUri: KEY_URI }),
      ]);
      assert.deepEqual(a, b);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('invalid options are rejected before anything is generated', async () => {
    await assert.rejects(ensureSampleMedia(join(cacheDir, 'never'), { hlsKeyUri: 'a"b' }), TypeError);
    await assert.rejects(ensureSampleMedia(join(cacheDir, 'never'), { hlsKeyUri: KEY_URI, durationSeconds: 1 }), RangeError);
    assert.ok(!(await readdir(cacheDir)).includes('never'));
  });

  test('generation logs the time of each step', () => {
    for (const step of ['encode', 'DASH packaging', 'CENC encryption', 'HLS packaging (clear)', 'HLS packaging (AES-128)', 'captions']) {
      assert.ok(logs.some((line) => line.includes(`${step} took`)), `logged ${step}`);
    }
  });
});
