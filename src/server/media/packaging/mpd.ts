/**
 * Declares CENC protection in ffmpeg's DASH manifest.
 *
 * Every AdaptationSet gets two ContentProtection descriptors: the generic `mp4protection` one
 * (scheme `cenc` and the default KID, which players use to match keys) and the ClearKey one with
 * the common `pssh` as `cenc:pssh` (EME init data, so players need not wait for the segment's
 * `pssh`). No license URL goes into the manifest: the player learns it from the playback session.
 *
 * ffmpeg's MPD is regular, machine-written XML, so a targeted text edit is enough and keeps
 * everything else byte-identical; anything unexpected is rejected instead of guessed at.
 */

const MP4_PROTECTION_SCHEME = 'urn:mpeg:dash:mp4protection:2011';
const CLEARKEY_SCHEME = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';
const CENC_NAMESPACE = 'urn:mpeg:cenc:2013';

/** `00112233-4455-6677-8899-aabbccddeeff` from 16 bytes. */
export function uuidString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error('mpd: a UUID is 16 bytes');
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function addContentProtectionToMpd(mpd: string, kid: Uint8Array, pssh: Uint8Array): string {
  if (mpd.includes('<ContentProtection')) throw new Error('mpd: manifest already declares content protection');
  if (!/<MPD\s/.test(mpd)) throw new Error('mpd: no MPD element');
  let adaptationSets = 0;
  const out = mpd
    .replace(/<MPD\s/, `<MPD xmlns:cenc="${CENC_NAMESPACE}" `)
    .replace(/^([ \t]*)(<AdaptationSet\b[^>]*[^/]>)/gm, (_match, indent: string, tag: string) => {
      adaptationSets++;
      const inner = indent + (indent.includes('\t') ? '\t' : '  ');
      return [
        indent + tag,
        `${inner}<ContentProtection schemeIdUri="${MP4_PROTECTION_SCHEME}" value="cenc" cenc:default_KID="${uuidString(kid)}"/>`,
        `${inner}<ContentProtection schemeIdUri="${CLEARKEY_SCHEME}" value="ClearKey1.0">` +
          `<cenc:pssh>${Buffer.from(pssh).toString('base64')}</cenc:pssh></ContentProtection>`,
      ].join('\n');
    });
  const expected = mpd.match(/<AdaptationSet\b/g)?.length ?? 0;
  if (adaptationSets === 0 || adaptationSets !== expected) throw new Error('mpd: unexpected AdaptationSet layout');
  return out;
}
