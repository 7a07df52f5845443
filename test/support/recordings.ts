/**
 * A Veil service with recordings for server tests: real storage, real tus server in a temporary
 * upload directory, the real processing queue, and a tiny tus 1.0 client to drive it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createAccessTokenVerifier } from '../../src/server/identity/oidc.js';
import { checkPerimeter } from '../../src/server/identity/perimeter.js';
import { serverAuditLog } from '../../src/server/audit/server-events.js';
import type { AuditStore } from '../../src/server/audit/store.js';
import type { Handler } from '../../src/server/http.js';
import { createPlaybackTokenService } from '../../src/server/playback-token.js';
import { createVeilService } from '../../src/server/service.js';
import { createRecordings, type Recordings, type RecordingsOptions } from '../../src/server/uploads/recordings.js';
import { openTestStorage, type TestStorage } from './storage.js';

export const ORIGIN = 'https://video.test';
const ISSUER = 'https://idp.test';
const API = `${ORIGIN}/api`;

export interface RecordingTestService {
  service: Handler;
  storage: TestStorage;
  recordings: Recordings;
  uploadDir: string;
  token(sub: string, org?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startRecordingService(
  options: { origin?: string; quota?: RecordingsOptions['quota']; limits?: RecordingsOptions['limits']; audit?: AuditStore; start?: boolean } = {},
): Promise<RecordingTestService> {
  const origin = options.origin ?? ORIGIN;
  const storage = await openTestStorage();
  const uploadDir = await mkdtemp(join(tmpdir(), 'veil-uploads-test-'));
  const idp = await generateKeyPair('ES256');
  const idpKey: CryptoKey = idp.privateKey;
  const verifyAccessToken = createAccessTokenVerifier({
    issuer: ISSUER,
    audience: API,
    jwks: createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'ES256' }] }),
  });
  const perimeter = { issuer: ISSUER, org: 'acme' };
  const recordings = createRecordings({
    publicUrl: origin,
    uploadDir,
    recordings: storage.recordings,
    videos: storage.videos,
    keys: storage.keys,
    media: storage.media,
    signingKeys: storage.signingKeys,
    verifyAccessToken,
    checkPerimeter: (viewer) => checkPerimeter(viewer, perimeter),
    audit: serverAuditLog(options.audit),
    quota: options.quota,
    limits: options.limits,
  });
  if (options.start !== false) await recordings.start();
  const service = createVeilService({
    publicUrl: origin,
    verifyAccessToken,
    perimeter,
    videos: storage.videos,
    grants: storage.grants,
    keys: storage.keys,
    media: storage.media,
    playbackTokens: createPlaybackTokenService({ issuer: origin, audience: `${origin}/media`, keys: storage.signingKeys, ttlSeconds: 60 }),
    recordings,
  });
  return {
    service,
    storage,
    recordings,
    uploadDir,
    token: (sub, org = 'acme') =>
      new SignJWT({ org, groups: [] })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(API)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(idpKey),
    async close() {
      await recordings.close();
      await storage.close();
      await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

export function sha256Header(bytes: Uint8Array): string {
  return `sha256 ${createHash('sha256').update(bytes).digest('base64')}`;
}

/** A minimal tus 1.0 client over the handler (the browser's is in src/recording/). */
export class TusTestClient {
  uploadUrl = '';
  uploadToken = '';
  videoId = '';
  constructor(readonly service: Handler) {}

  async create(accessToken: string, headers: Record<string, string> = { 'upload-defer-length': '1' }): Promise<Response> {
    const response = await this.service(
      new Request(`${ORIGIN}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'tus-resumable': '1.0.0', ...headers } }),
    );
    if (response.status === 201) {
      this.uploadUrl = response.headers.get('location')!;
      this.uploadToken = response.headers.get('veil-upload-token')!;
      this.videoId = response.headers.get('veil-video-id')!;
    }
    return response;
  }

  patch(offset: number, body: Uint8Array, extra: Record<string, string> = {}, token = this.uploadToken): Promise<Response> {
    return this.service(
      new Request(this.uploadUrl, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'tus-resumable': '1.0.0',
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(offset),
          ...(body.byteLength ? { 'upload-checksum': sha256Header(body) } : {}),
          ...extra,
        },
        body: body as Uint8Array<ArrayBuffer>,
      }),
    );
  }

  head(token = this.uploadToken): Promise<Response> {
    return this.service(new Request(this.uploadUrl, { method: 'HEAD', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' } }));
  }

  delete(token = this.uploadToken): Promise<Response> {
    return this.service(new Request(this.uploadUrl, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' } }));
  }

  /** Uploads `bytes` in `chunk`-sized PATCHes with a deferred length declared on the last one. */
  async uploadAll(bytes: Uint8Array, chunk = 64 * 1024): Promise<Response> {
    let offset = 0;
    let response: Response | undefined;
    do {
      const part = bytes.subarray(offset, Math.min(bytes.length, offset + chunk));
      const last = offset + part.length >= bytes.length;
      response = await this.patch(offset, part, last ? { 'upload-length': String(bytes.length) } : {});
      if (response.status !== 204) return response;
      offset += part.length;
    } while (offset < bytes.length);
    return response;
  }
}

const exec = promisify(execFile);

/** A short clip as a recorder would make it: fragmented MP4 H.264+Opus, or WebM VP8+Opus (`size` as ffmpeg's `WxH`). */
export async function recordingFixture(kind: 'mp4' | 'webm', seconds = 3, { size = '320x240' } = {}): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-fixture-'));
  try {
    const out = join(dir, `clip.${kind}`);
    const codecs =
      kind === 'mp4'
        ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'libopus', '-movflags', 'frag_keyframe+empty_moov+default_base_moof']
        : ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '500k', '-c:a', 'libopus'];
    await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-pix_fmt', 'yuv420p', ...codecs, out]);
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function randomChunk(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}
