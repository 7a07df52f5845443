/**
 * Unit tests of the CENC building blocks on synthetic input (no ffmpeg): H.264 subsample layout,
 * the common pssh, the MPD rewrite, and the MP4 box tree. The end-to-end proof that encrypted
 * media decrypts bit-exactly is in packaging.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { avcSubsamples } from '../../src/server/media/packaging/avc.js';
import { COMMON_SYSTEM_ID, commonPssh, encryptInitSegment } from '../../src/server/media/packaging/cenc.js';
import { addContentProtectionToMpd, uuidString } from '../../src/server/media/packaging/mpd.js';
import { box, concat, fullBox, parseBoxes, serializeBoxes, u16, u32, updatePath, type Box } from '../../src/server/media/packaging/mp4.js';

/** A length-prefixed NAL unit of `size` bytes (header included) with the given type. */
function nal(type: number, size: number, lengthSize = 4): Uint8Array {
  const unit = new Uint8Array(lengthSize + size).fill(0xab);
  const view = new DataView(unit.buffer);
  if (lengthSize === 4) view.setUint32(0, size);
  else if (lengthSize === 2) view.setUint16(0, size);
  else view.setUint8(0, size);
  unit[lengthSize] = 0x60 | type;
  return unit;
}

const total = (subsamples: { clearBytes: number; encryptedBytes: number }[]) =>
  subsamples.reduce((sum, s) => sum + s.clearBytes + s.encryptedBytes, 0);

describe('avcSubsamples', () => {
  test('keeps length prefix and NAL header clear and encrypts whole blocks of the slice', () => {
    // 1 header byte + 100 payload bytes: 96 encrypted, 4 remainder bytes stay clear before them.
    assert.deepEqual(avcSubsamples(nal(5, 101), 4), [{ clearBytes: 4 + 1 + 4, encryptedBytes: 96 }]);
    assert.deepEqual(avcSubsamples(nal(1, 33), 4), [{ clearBytes: 5, encryptedBytes: 32 }]);
  });

  test('leaves non-slice NAL units clear, folding them into the next clear run', () => {
    const sample = concat([nal(9, 2), nal(6, 700), nal(5, 1001), nal(1, 49)]);
    const subsamples = avcSubsamples(sample, 4);
    assert.deepEqual(subsamples, [
      { clearBytes: 6 + 704 + 5 + 8, encryptedBytes: 992 },
      { clearBytes: 5, encryptedBytes: 48 },
    ]);
    assert.equal(total(subsamples), sample.length);
  });

  test('keeps slices shorter than a block fully clear and ends with a clear-only subsample', () => {
    const sample = concat([nal(1, 17), nal(1, 10), nal(12, 3)]);
    assert.deepEqual(avcSubsamples(sample, 4), [
      { clearBytes: 5, encryptedBytes: 16 },
      { clearBytes: 14 + 7, encryptedBytes: 0 },
    ]);
  });

  test('splits clear runs that do not fit the 16-bit clear count', () => {
    const sample = concat([nal(6, 70000), nal(5, 17)]);
    const subsamples = avcSubsamples(sample, 4);
    assert.deepEqual(subsamples, [
      { clearBytes: 0xffff, encryptedBytes: 0 },
      { clearBytes: 70004 + 5 - 0xffff, encryptedBytes: 16 },
    ]);
    assert.equal(total(subsamples), sample.length);
  });

  test('supports 1- and 2-byte NAL length prefixes', () => {
    assert.deepEqual(avcSubsamples(nal(5, 33, 2), 2), [{ clearBytes: 3, encryptedBytes: 32 }]);
    assert.deepEqual(avcSubsamples(nal(5, 33, 1), 1), [{ clearBytes: 2, encryptedBytes: 32 }]);
  });

  test('rejects samples whose NAL units overrun the sample', () => {
    assert.throws(() => avcSubsamples(nal(5, 40).subarray(0, 30), 4), /overruns/);
    assert.throws(() => avcSubsamples(Uint8Array.of(0, 0, 0), 4), /truncated/);
    assert.throws(() => avcSubsamples(nal(5, 40), 3), /NAL length size/);
  });
});

describe('commonPssh', () => {
  test('is a version-1 pssh with the common system ID and the key IDs', () => {
    const kid = Uint8Array.from({ length: 16 }, (_, i) => i);
    const pssh = commonPssh([kid]);
    assert.equal(pssh.length, 52);
    const [parsed] = parseBoxes(pssh);
    assert.equal(parsed?.type, 'pssh');
    assert.deepEqual(parsed.body.subarray(0, 4), Uint8Array.of(1, 0, 0, 0));
    assert.deepEqual(parsed.body.subarray(4, 20), COMMON_SYSTEM_ID);
    assert.deepEqual(parsed.body.subarray(20, 24), u32(1));
    assert.deepEqual(parsed.body.subarray(24, 40), kid);
    assert.deepEqual(parsed.body.subarray(40), u32(0), 'no system-specific data');
  });
});

describe('addContentProtectionToMpd', () => {
  const mpd = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static">',
    '\t<Period id="0">',
    '\t\t<AdaptationSet id="0" contentType="video">',
    '\t\t\t<Representation id="0"/>',
    '\t\t</AdaptationSet>',
    '\t\t<AdaptationSet id="1" contentType="audio">',
    '\t\t\t<Representation id="1"/>',
    '\t\t</AdaptationSet>',
    '\t</Period>',
    '</MPD>',
  ].join('\n');
  const kid = Uint8Array.from(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));

  test('adds the cenc namespace and both descriptors before the representations', () => {
    const out = addContentProtectionToMpd(mpd, kid, commonPssh([kid]));
    assert.match(out, /<MPD xmlns:cenc="urn:mpeg:cenc:2013" xmlns="urn:mpeg:dash:schema:mpd:2011"/);
    const protections = out.match(/<ContentProtection [^>]*>/g) ?? [];
    assert.equal(protections.length, 4);
    for (const id of ['0', '1']) {
      const set = out.slice(out.indexOf(`<AdaptationSet id="${id}"`));
      assert.ok(
        set.indexOf('cenc:default_KID="00112233-4455-6677-8899-aabbccddeeff"') < set.indexOf('<Representation'),
        'mp4protection precedes the representations',
      );
      assert.ok(set.indexOf('urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e') < set.indexOf('<Representation'));
    }
    assert.ok(out.includes(`<cenc:pssh>${Buffer.from(commonPssh([kid])).toString('base64')}</cenc:pssh>`));
    assert.equal(out.replace(/\n\t*<ContentProtection[^\n]*/g, '').replace(' xmlns:cenc="urn:mpeg:cenc:2013"', ''), mpd, 'nothing else changes');
  });

  test('refuses manifests it does not understand or that are already protected', () => {
    const out = addContentProtectionToMpd(mpd, kid, commonPssh([kid]));
    assert.throws(() => addContentProtectionToMpd(out, kid, commonPssh([kid])), /already/);
    assert.throws(() => addContentProtectionToMpd('<MPD type="static"></MPD>', kid, commonPssh([kid])), /AdaptationSet/);
    assert.throws(() => addContentProtectionToMpd('<xml/>', kid, commonPssh([kid])), /MPD/);
  });

  test('uuidString formats 16 bytes as a UUID', () => {
    assert.equal(uuidString(kid), '00112233-4455-6677-8899-aabbccddeeff');
    assert.throws(() => uuidString(kid.subarray(1)));
  });
});

describe('mp4 box tree', () => {
  const tree: Box[] = [
    box('ftyp', Uint8Array.from(Buffer.from('iso5'))),
    {
      type: 'moov',
      body: new Uint8Array(0),
      children: [
        fullBox('mvhd', 0, 0, new Uint8Array(96)),
        { type: 'trak', body: new Uint8Array(0), children: [box('tkhd', u16(7)), box('udta', u32(1))] },
      ],
    },
  ];

  test('serializes with computed sizes and parses back to the same bytes', () => {
    const bytes = serializeBoxes(tree);
    assert.equal(bytes.length, 12 + (8 + (8 + 100) + (8 + 10 + 12)));
    const parsed = parseBoxes(bytes);
    assert.deepEqual(parsed.map((b) => [b.type, b.start, b.size]), [['ftyp', 0, 12], ['moov', 12, 146]]);
    assert.deepEqual(serializeBoxes(parsed), bytes);
  });

  test('updatePath replaces a nested box and the parents grow with it', () => {
    const moov = updatePath(tree[1]!, ['trak', 'tkhd'], (tkhd) => box('tkhd', tkhd.body, u32(9)));
    const [parsed] = parseBoxes(serializeBoxes([moov]));
    assert.equal(parsed?.size, 150);
    assert.throws(() => updatePath(tree[1]!, ['trak', 'mdia'], (b) => b), /no 'mdia'/);
  });

  test('rejects boxes that overrun their parent', () => {
    const bytes = serializeBoxes(tree);
    assert.throws(() => parseBoxes(bytes.subarray(0, bytes.length - 1)), /overruns/);
  });

  test('the init encryptor refuses codecs it cannot protect', () => {
    const stsd: Box = { type: 'stsd', body: concat([u32(0), u32(1)]), children: [box('hev1', new Uint8Array(78))] };
    const init = serializeBoxes([
      {
        type: 'moov',
        body: new Uint8Array(0),
        children: [
          {
            type: 'trak',
            body: new Uint8Array(0),
            children: [
              fullBox('tkhd', 0, 0, u32(0), u32(0), u32(1)),
              { type: 'mdia', body: new Uint8Array(0), children: [{ type: 'minf', body: new Uint8Array(0), children: [{ type: 'stbl', body: new Uint8Array(0), children: [stsd] }] }] },
            ],
          },
          { type: 'mvex', body: new Uint8Array(0), children: [fullBox('trex', 0, 0, u32(1), u32(1), u32(0), u32(0), u32(0))] },
        ],
      },
    ]);
    assert.throws(() => encryptInitSegment(init, new Uint8Array(16)), /unsupported sample entry 'hev1'/);
    assert.throws(() => encryptInitSegment(init, new Uint8Array(8)), /16 bytes/);
  });
});
