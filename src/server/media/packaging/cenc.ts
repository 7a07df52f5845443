/**
 * Common Encryption (ISO/IEC 23001-7) `cenc` scheme for ffmpeg's clear fragmented MP4.
 *
 * ffmpeg 5.1 can write encrypted samples but leaves out `senc`/`saiz`/`saio` and `pssh`, which
 * browsers need, so the project encrypts clear DASH segments itself:
 * - init segment: sample entries become `encv`/`enca` carrying `sinf` (`frma`, `schm`, `tenc`), and
 *   `moov` gets a common-format `pssh` listing the key ID (what ClearKey's `cenc` init data reads);
 * - media segment: samples are encrypted in place with AES-128-CTR (8-byte random IV per sample,
 *   counter block IV‖0), H.264 with subsamples (see avc.ts), audio whole; each `traf` gets
 *   `senc` + `saiz` + `saio`, and `trun.data_offset` and `sidx` sizes absorb the larger `moof`.
 * Encryption never changes sample sizes (CTR has no padding), so `mdat` is rewritten in place.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { avcSubsamples, type Subsample } from './avc.js';
import {
  box,
  concat,
  dataView,
  findChild,
  fourccBytes,
  fullBox,
  fullBoxHeader,
  parseBoxes,
  requireChild,
  requirePath,
  serializeBoxes,
  u16,
  u32,
  u8,
  updatePath,
  type Box,
  type ParsedBox,
} from './mp4.js';

/** The W3C "common" PSSH system ID: its `pssh` just lists key IDs (read by ClearKey in Chromium). */
export const COMMON_SYSTEM_ID = Uint8Array.from(Buffer.from('1077efecc0b24d02ace33c1e52e2fb4b', 'hex'));

const IV_SIZE = 8;
const SENC_USE_SUBSAMPLES = 0x2;
const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x2;
const TFHD_DEFAULT_SAMPLE_DURATION = 0x8;
const TFHD_DEFAULT_SAMPLE_SIZE = 0x10;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x20000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_SAMPLE_DURATION = 0x100;
const TRUN_SAMPLE_SIZE = 0x200;
const TRUN_SAMPLE_FLAGS = 0x400;
const TRUN_COMPOSITION_OFFSET = 0x800;

/** What the media-segment encryptor needs to know about a track, read from its clear init segment. */
export interface TrackInfo {
  trackId: number;
  /** `avc`: subsample encryption of H.264 slices; `audio`: whole-sample encryption. */
  kind: 'avc' | 'audio';
  /** Bytes in each NAL unit length prefix (from `avcC`); 0 for audio. */
  nalLengthSize: number;
  /** `trex.default_sample_size`, used when neither `tfhd` nor `trun` give sample sizes. */
  defaultSampleSize: number;
}

/** Sample entry formats this encryptor handles, and how. */
const FORMATS: Readonly<Record<string, { kind: TrackInfo['kind']; protectedType: string }>> = {
  avc1: { kind: 'avc', protectedType: 'encv' },
  avc3: { kind: 'avc', protectedType: 'encv' },
  mp4a: { kind: 'audio', protectedType: 'enca' },
};

export function readTracks(init: Uint8Array): TrackInfo[] {
  const moov = requirePath(parseBoxes(init), ['moov']);
  const trexes = requireChild(moov, 'mvex').children!.filter((child) => child.type === 'trex');
  return moov.children!.filter((child) => child.type === 'trak').map((trak) => {
    const tkhd = requireChild(trak, 'tkhd');
    const trackId = dataView(tkhd.body).getUint32(fullBoxHeader(tkhd.body).version === 1 ? 20 : 12);
    const trex = trexes.find((candidate) => dataView(candidate.body).getUint32(4) === trackId);
    if (!trex) throw new Error(`cenc: no trex for track ${trackId}`);
    const stsd = requirePath(trak.children!, ['mdia', 'minf', 'stbl', 'stsd']);
    const [entry, ...others] = stsd.children!;
    if (!entry || others.length > 0) throw new Error(`cenc: track ${trackId} must have exactly one sample entry`);
    const format = FORMATS[entry.type];
    if (!format) throw new Error(`cenc: unsupported sample entry '${entry.type}' in track ${trackId}`);
    const nalLengthSize = format.kind === 'avc' ? (requireChild(entry, 'avcC').body[4]! & 0x3) + 1 : 0;
    return { trackId, kind: format.kind, nalLengthSize, defaultSampleSize: dataView(trex.body).getUint32(16) };
  });
}

/** A version-1 common-format `pssh` box (serialized) listing `kids`. Also goes into the MPD. */
export function commonPssh(kids: readonly Uint8Array[]): Uint8Array {
  return serializeBoxes([fullBox('pssh', 1, 0, COMMON_SYSTEM_ID, u32(kids.length), ...kids, u32(0))]);
}

/** Marks every track of a clear init segment as `cenc`-protected with key ID `kid`. */
export function encryptInitSegment(init: Uint8Array, kid: Uint8Array): Uint8Array {
  checkLength(kid, 'kid');
  readTracks(init); // validates that every track is one this encryptor can protect
  const boxes: Box[] = parseBoxes(init).map((top) => {
    if (top.type !== 'moov') return top;
    const moov = updatePath(top, ['trak', 'mdia', 'minf', 'stbl', 'stsd'], (stsd) => ({
      type: stsd.type,
      body: stsd.body,
      children: stsd.children!.map((entry) => protectSampleEntry(entry, kid)),
    }));
    return { type: moov.type, body: moov.body, children: [...moov.children!, ...parseBoxes(commonPssh([kid]))] };
  });
  return serializeBoxes(boxes);
}

function protectSampleEntry(entry: Box, kid: Uint8Array): Box {
  const format = FORMATS[entry.type]!;
  const tenc = fullBox('tenc', 0, 0, u8(0), u8(0), u8(1 /* default_isProtected */), u8(IV_SIZE), kid);
  const sinf: Box = {
    type: 'sinf',
    body: new Uint8Array(0),
    children: [
      box('frma', fourccBytes(entry.type)),
      fullBox('schm', 0, 0, fourccBytes('cenc'), u32(0x00010000)),
      { type: 'schi', body: new Uint8Array(0), children: [tenc] },
    ],
  };
  return { type: format.protectedType, body: entry.body, children: [...entry.children!, sinf] };
}

/**
 * Encrypts one clear media segment (`styp`? `sidx`? then `moof` + `mdat` pairs) of the tracks
 * described by `tracks` (from {@link readTracks} on the clear init segment) with `key`.
 */
export function encryptMediaSegment(segment: Uint8Array, tracks: readonly TrackInfo[], key: Uint8Array): Uint8Array {
  checkLength(key, 'key');
  const top = parseBoxes(segment);
  // A copy (never `slice()`: on a Node Buffer that is a view) in which samples are encrypted in place.
  const data = new Uint8Array(segment);
  const rewritten = new Map<ParsedBox, Uint8Array>();
  for (const moof of top.filter((b) => b.type === 'moof')) {
    rewritten.set(moof, encryptFragment(moof, data, tracks, key));
  }
  if (rewritten.size === 0) throw new Error('cenc: media segment has no moof');
  const newSize = (b: ParsedBox) => rewritten.get(b)?.length ?? b.size;
  for (const sidx of top.filter((b) => b.type === 'sidx')) {
    rewritten.set(sidx, fixSidx(sidx, top, newSize, segment.length));
  }
  return concat(top.map((b) => rewritten.get(b) ?? data.subarray(b.start, b.start + b.size)));
}

function encryptFragment(moof: ParsedBox, data: Uint8Array, tracks: readonly TrackInfo[], key: Uint8Array): Uint8Array {
  const children = moof.children!.map((child) =>
    child.type === 'traf' ? encryptTrackFragment(child, moof, data, tracks, key) : child,
  );
  const bytes = serializeBoxes([{ type: 'moof', body: moof.body, children }]);
  // Sample data follows the moof, so it moved by exactly the moof's growth. Offsets are relative
  // to the moof start (default-base-is-moof), which is byte 0 of `bytes`.
  const growth = bytes.length - moof.size;
  for (const traf of requirePath(parseBoxes(bytes), ['moof']).children!.filter((c) => c.type === 'traf')) {
    for (const trun of traf.children!.filter((c) => c.type === 'trun')) {
      const view = dataView(trun.body);
      view.setInt32(8, view.getInt32(8) + growth);
    }
    const sencStart = requireChild(traf, 'senc').start;
    // saio points at the first IV: after senc's header (8), version/flags (4), sample_count (4).
    dataView(requireChild(traf, 'saio').body).setUint32(8, sencStart + 16);
  }
  return bytes;
}

function encryptTrackFragment(
  traf: ParsedBox,
  moof: ParsedBox,
  data: Uint8Array,
  tracks: readonly TrackInfo[],
  key: Uint8Array,
): Box {
  if (findChild(traf, 'senc') || findChild(traf, 'saiz')) throw new Error('cenc: segment is already encrypted');
  const tfhd = requireChild(traf, 'tfhd');
  const { flags } = fullBoxHeader(tfhd.body);
  const tfhdView = dataView(tfhd.body);
  const trackId = tfhdView.getUint32(4);
  const track = tracks.find((t) => t.trackId === trackId);
  if (!track) throw new Error(`cenc: segment has track ${trackId}, which the init segment does not describe`);
  // ffmpeg's DASH output always uses default-base-is-moof; other layouts would need other offset math.
  if (flags & TFHD_BASE_DATA_OFFSET || !(flags & TFHD_DEFAULT_BASE_IS_MOOF)) {
    throw new Error('cenc: only default-base-is-moof track fragments are supported');
  }
  // Optional tfhd fields before default_sample_size (base_data_offset is excluded above).
  const sizeOffset = 8 + (flags & TFHD_SAMPLE_DESCRIPTION_INDEX ? 4 : 0) + (flags & TFHD_DEFAULT_SAMPLE_DURATION ? 4 : 0);
  const defaultSize = flags & TFHD_DEFAULT_SAMPLE_SIZE ? tfhdView.getUint32(sizeOffset) : track.defaultSampleSize;

  const samples: Uint8Array[] = [];
  for (const trun of traf.children!.filter((c) => c.type === 'trun')) {
    const run = readTrun(trun.body, defaultSize);
    let pos = moof.start + run.dataOffset;
    if (run.dataOffset < moof.size) throw new Error('cenc: sample data inside moof is not supported');
    for (const size of run.sizes) {
      if (pos + size > data.length) throw new Error('cenc: sample data overruns the segment');
      samples.push(data.subarray(pos, pos + size));
      pos += size;
    }
  }

  const entries = samples.map((sample) => {
    const iv = Uint8Array.from(randomBytes(IV_SIZE));
    const subsamples = track.kind === 'avc' ? avcSubsamples(sample, track.nalLengthSize) : undefined;
    encryptSample(sample, iv, key, subsamples);
    if (!subsamples) return iv;
    const table = subsamples.flatMap((s) => [u16(s.clearBytes), u32(s.encryptedBytes)]);
    return concat([iv, u16(subsamples.length), ...table]);
  });
  const senc = fullBox('senc', 0, track.kind === 'avc' ? SENC_USE_SUBSAMPLES : 0, u32(entries.length), ...entries);
  const saio = fullBox('saio', 0, 0, u32(1), u32(0)); // offset filled in once the moof is laid out
  return { type: traf.type, body: traf.body, children: [...traf.children!, senc, saizFor(entries), saio] };
}

/** `saiz`: one size for all samples when they agree (audio), else a per-sample table (video). */
function saizFor(entries: readonly Uint8Array[]): Box {
  const sizes = entries.map((entry) => entry.length);
  if (sizes.some((size) => size > 0xff)) throw new Error('cenc: too many subsamples in one sample');
  const uniform = sizes.every((size) => size === sizes[0]);
  return uniform
    ? fullBox('saiz', 0, 0, u8(sizes[0] ?? 0), u32(sizes.length))
    : fullBox('saiz', 0, 0, u8(0), u32(sizes.length), Uint8Array.from(sizes));
}

function readTrun(body: Uint8Array, defaultSize: number): { dataOffset: number; sizes: number[] } {
  const { flags } = fullBoxHeader(body);
  if (!(flags & TRUN_DATA_OFFSET)) throw new Error('cenc: trun without data_offset is not supported');
  const view = dataView(body);
  const count = view.getUint32(4);
  const dataOffset = view.getInt32(8);
  let pos = 12 + (flags & TRUN_FIRST_SAMPLE_FLAGS ? 4 : 0);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    if (flags & TRUN_SAMPLE_DURATION) pos += 4;
    if (flags & TRUN_SAMPLE_SIZE) {
      sizes.push(view.getUint32(pos));
      pos += 4;
    } else {
      sizes.push(defaultSize);
    }
    if (flags & TRUN_SAMPLE_FLAGS) pos += 4;
    if (flags & TRUN_COMPOSITION_OFFSET) pos += 4;
  }
  return { dataOffset, sizes };
}

/**
 * AES-128-CTR with counter block IV‖0, one keystream across all encrypted ranges of the sample
 * (clear ranges do not advance the counter).
 */
function encryptSample(sample: Uint8Array, iv: Uint8Array, key: Uint8Array, subsamples?: readonly Subsample[]): void {
  const cipher = createCipheriv('aes-128-ctr', key, concat([iv, new Uint8Array(16 - IV_SIZE)]));
  const ranges = subsamples ?? [{ clearBytes: 0, encryptedBytes: sample.length }];
  let pos = 0;
  for (const { clearBytes, encryptedBytes } of ranges) {
    pos += clearBytes;
    const range = sample.subarray(pos, pos + encryptedBytes);
    range.set(cipher.update(range));
    pos += encryptedBytes;
  }
  if (pos !== sample.length) throw new Error('cenc: subsamples do not cover the sample');
  cipher.final();
}

/**
 * Re-derives `sidx.first_offset` and every `referenced_size` from the new top-level box sizes.
 * Only references to media (not to other sidx boxes) that start and end on top-level boxes occur
 * in ffmpeg's output; anything else is rejected rather than guessed at.
 */
function fixSidx(sidx: ParsedBox, top: readonly ParsedBox[], newSize: (b: ParsedBox) => number, total: number): Uint8Array {
  const newOffset = (old: number) => {
    let acc = 0;
    for (const b of top) {
      if (b.start === old) return acc;
      acc += newSize(b);
    }
    if (old === total) return acc;
    throw new Error('cenc: sidx reference does not end on a box boundary');
  };
  const body = new Uint8Array(sidx.body);
  const view = dataView(body);
  const v1 = fullBoxHeader(body).version === 1;
  const firstOffsetAt = v1 ? 20 : 16;
  const anchor = sidx.start + sidx.size;
  let cursor = anchor + Number(v1 ? view.getBigUint64(firstOffsetAt) : view.getUint32(firstOffsetAt));
  const firstOffset = newOffset(cursor) - newOffset(anchor);
  if (v1) view.setBigUint64(firstOffsetAt, BigInt(firstOffset));
  else view.setUint32(firstOffsetAt, firstOffset);
  const refsAt = firstOffsetAt + (v1 ? 8 : 4) + 4;
  const count = view.getUint16(refsAt - 2);
  for (let i = 0; i < count; i++) {
    const at = refsAt + i * 12;
    const word = view.getUint32(at);
    if (word >>> 31) throw new Error('cenc: hierarchical sidx is not supported');
    const size = word & 0x7fffffff;
    view.setUint32(at, newOffset(cursor + size) - newOffset(cursor));
    cursor += size;
  }
  return serializeBoxes([{ type: 'sidx', body }]);
}

function checkLength(bytes: Uint8Array, name: string): void {
  if (bytes.length !== 16) throw new Error(`cenc: ${name} must be 16 bytes`);
}
