/**
 * Registers the demo's sample videos in its storage on every start, idempotently: a sample whose
 * record names the cache's key ids is left alone (including any access change made since);
 * otherwise its media is copied from the sample cache into the demo's MediaStore, its keys into
 * the KeyStore, and its record written. An empty data directory therefore gives the initial state.
 */
import { apiUrls } from '../src/protocol/paths.js';
import type { Principal } from '../src/protocol/sharing.js';
import { grantViewer } from '../src/server/access/grant-viewer.js';
import type { GrantRepository } from '../src/server/storage/grants.js';
import type { KeyStore } from '../src/server/storage/keys.js';
import type { MediaStore } from '../src/server/storage/media.js';
import type { VideoRecord, VideoRepository } from '../src/server/storage/videos.js';
import type { DemoConfig } from './config.js';
import { ensureSampleMedia } from './sample-media.js';

const OWNER = 'alice@acme.test';
/** The demo LMS's teacher as the directory knows her (demo/lms/directory.ts). */
const LMS_TEACHER = 'teacher@school.test';

export interface DemoStorage {
  videos: VideoRepository;
  keys: KeyStore;
  media: MediaStore;
}

export async function registerSamples(config: DemoConfig, storage: DemoStorage): Promise<VideoRecord[]> {
  const samples = await ensureSampleMedia(config.cacheDir, {
    hlsKeyUri: new URL(apiUrls(config.origin).hlsKey('sample-hls')).pathname,
    log: (line: string) => console.log(`[media] ${line}`),
  });
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  const common = { owner: OWNER, org: config.org, generalAccess: 'org', status: 'ready' } as const;
  const entries: Array<{ record: VideoRecord; key: Uint8Array; media?: string }> = [
    {
      record: { ...common, id: 'sample-dash', title: 'Sample (CENC DASH, ClearKey)', protocol: 'dash', manifest: samples.dash.manifest, protection: { scheme: 'cenc', kids: [hex(samples.dash.kid)] } },
      key: samples.dash.key,
    },
    {
      // Demo contract: the same media as sample-dash, restricted to alice until she shares it.
      record: { ...common, generalAccess: 'restricted', id: 'sample-private', title: 'Private sample (CENC DASH)', protocol: 'dash', manifest: samples.dash.manifest, protection: { scheme: 'cenc', kids: [hex(samples.dash.kid)] } },
      key: samples.dash.key,
      media: 'sample-dash',
    },
    {
      // Demo contract (LTI): the same media again, restricted, granted to course c101 only (`grantCourse`).
      record: { ...common, generalAccess: 'restricted', id: 'sample-course', title: 'Course sample (CENC DASH)', protocol: 'dash', manifest: samples.dash.manifest, protection: { scheme: 'cenc', kids: [hex(samples.dash.kid)] } },
      key: samples.dash.key,
      media: 'sample-dash',
    },
    {
      // LTI Deep Linking: the demo LMS's teacher's own lecture (restricted), which she can add to her course.
      record: { ...common, owner: LMS_TEACHER, generalAccess: 'restricted', id: 'sample-lecture', title: 'Lecture sample (CENC DASH)', protocol: 'dash', manifest: samples.dash.manifest, protection: { scheme: 'cenc', kids: [hex(samples.dash.kid)] } },
      key: samples.dash.key,
      media: 'sample-dash',
    },
    {
      record: { ...common, id: 'sample-hls', title: 'Sample (AES-128 HLS)', protocol: 'hls', manifest: samples.hls.master, protection: { scheme: 'hls-aes-128', kids: [hex(samples.hls.kid)] } },
      key: samples.hls.key,
    },
  ];
  const registered: VideoRecord[] = [];
  for (const { record, key, media = record.id } of entries) {
    const existing = await storage.videos.get(record.id);
    if (existing && existing.protection.kids.join() === record.protection.kids.join()) {
      registered.push(existing);
      continue;
    }
    await storage.media.delete(record.id);
    for (const file of await samples.store.list(media)) {
      const source = await samples.store.read(media, file);
      if (!source) throw new Error(`sample media: ${media}/${file} vanished while copying`);
      await storage.media.write(record.id, file, source.body);
    }
    await storage.keys.put(record.id, [{ kid: record.protection.kids[0]!, key }]);
    await storage.videos.put(record);
    registered.push(record);
  }
  return registered;
}

/**
 * Grants `principal` (a course, `lti-context:…`) viewer on `videoId` unless it already has it:
 * the demo LMS's course c101 sees `sample-course` (its issuer carries the port, so each new port
 * adds its grant).
 */
export async function grantCourse(grants: GrantRepository, videoId: string, principal: Principal): Promise<void> {
  await grantViewer(grants, videoId, principal, OWNER);
}
