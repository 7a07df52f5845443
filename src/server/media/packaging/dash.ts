/**
 * Turns the clear DASH directory ffmpeg wrote into the CENC-protected one that gets served:
 * every init and media segment through the encryptor, the manifest through the MPD rewriter.
 * Any other file is an error, so nothing unexpected is ever copied out in the clear.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commonPssh, encryptInitSegment, encryptMediaSegment, readTracks, type TrackInfo } from './cenc.js';
import { DASH_INIT_TEMPLATE, DASH_MEDIA_TEMPLATE } from './ffmpeg.js';
import { addContentProtectionToMpd } from './mpd.js';

export interface DashKey {
  kid: Uint8Array;
  key: Uint8Array;
}

/** Matches a file name produced by one of ffmpeg's DASH name templates; group 1 is the representation. */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^{}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace('$RepresentationID$', '(.+?)').replace(/\$Number[^$]*\$/, '\\d+')}$`);
}

const INIT_FILE = templatePattern(DASH_INIT_TEMPLATE);
const MEDIA_FILE = templatePattern(DASH_MEDIA_TEMPLATE);

export async function encryptDashDirectory(clearDir: string, outDir: string, manifest: string, { kid, key }: DashKey): Promise<void> {
  const files = await readdir(clearDir);
  const tracks = new Map<string, TrackInfo[]>();
  for (const file of files) {
    const representation = INIT_FILE.exec(file)?.[1];
    if (representation === undefined) continue;
    const init = await readFile(join(clearDir, file));
    tracks.set(representation, readTracks(init));
    await writeFile(join(outDir, file), encryptInitSegment(init, kid));
  }
  for (const file of files) {
    if (file === manifest) {
      const mpd = await readFile(join(clearDir, file), 'utf8');
      await writeFile(join(outDir, file), addContentProtectionToMpd(mpd, kid, commonPssh([kid])));
    } else if (!INIT_FILE.test(file)) {
      const representation = MEDIA_FILE.exec(file)?.[1];
      const representationTracks = representation === undefined ? undefined : tracks.get(representation);
      if (!representationTracks) throw new Error(`dash: unexpected file '${file}' in ffmpeg's output`);
      await writeFile(join(outDir, file), encryptMediaSegment(await readFile(join(clearDir, file)), representationTracks, key));
    }
  }
}
