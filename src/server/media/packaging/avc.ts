/**
 * Splits an H.264 sample (length-prefixed NAL units, as stored in MP4) into CENC subsamples.
 *
 * The layout matches what shaka-packager writes for the `cenc` scheme and what Chromium accepts:
 * - only video slice NAL units (types 1–5) are encrypted; parameter sets, SEI, AUD etc. stay
 *   clear, so a player can parse them without the key;
 * - in a slice, the length prefix and the one-byte NAL header stay clear;
 * - the encrypted part is a whole number of 16-byte blocks (CMAF's rule for `cenc`); the remainder
 *   joins the clear part just before it, so the slice tail is what gets encrypted;
 * - clear runs longer than a subsample's 16-bit clear count are split into clear-only subsamples.
 */
import { dataView } from './mp4.js';

export interface Subsample {
  clearBytes: number;
  encryptedBytes: number;
}

const MAX_CLEAR = 0xffff;
const BLOCK = 16;

export function avcSubsamples(sample: Uint8Array, nalLengthSize: number): Subsample[] {
  if (![1, 2, 4].includes(nalLengthSize)) throw new Error(`avc: unsupported NAL length size ${nalLengthSize}`);
  const view = dataView(sample);
  const subsamples: Subsample[] = [];
  let clear = 0;
  const emit = (encryptedBytes: number) => {
    while (clear > MAX_CLEAR) {
      subsamples.push({ clearBytes: MAX_CLEAR, encryptedBytes: 0 });
      clear -= MAX_CLEAR;
    }
    subsamples.push({ clearBytes: clear, encryptedBytes });
    clear = 0;
  };

  let pos = 0;
  while (pos < sample.length) {
    if (pos + nalLengthSize >= sample.length) throw new Error('avc: truncated NAL unit length');
    const nalLength =
      nalLengthSize === 4 ? view.getUint32(pos) : nalLengthSize === 2 ? view.getUint16(pos) : view.getUint8(pos);
    const end = pos + nalLengthSize + nalLength;
    if (nalLength === 0 || end > sample.length) throw new Error('avc: NAL unit overruns its sample');
    const nalType = sample[pos + nalLengthSize]! & 0x1f;
    if (nalType >= 1 && nalType <= 5) {
      const payload = nalLength - 1;
      const encrypted = payload - (payload % BLOCK);
      clear += nalLengthSize + 1 + (payload - encrypted);
      if (encrypted > 0) emit(encrypted);
    } else {
      clear += nalLengthSize + nalLength;
    }
    pos = end;
  }
  if (clear > 0) emit(0);
  return subsamples;
}
