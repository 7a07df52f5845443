/**
 * The Veil service as the server tests build it: the test origin and issuer, acme's perimeter,
 * real storage, one OIDC verifier over the test IdP's keys. Each test adds what it is about
 * (audit store, origins, limits, log).
 */
import type { createLocalJWKSet } from 'jose';
import type { Handler } from '../../src/server/http.js';
import { createOidcVerifier } from '../../src/server/identity/oidc.js';
import type { PlaybackTokenService } from '../../src/server/playback-token.js';
import { createVeilService, type VeilServiceOptions } from '../../src/server/service.js';
import type { TestStorage } from './storage.js';

export const ORIGIN = 'https://video.test';
export const ISSUER = 'https://idp.test';
export const API = `${ORIGIN}/api`;

export interface TestServiceOptions extends Partial<Omit<VeilServiceOptions, 'videos' | 'grants' | 'keys' | 'media' | 'playbackTokens'>> {
  storage: TestStorage;
  /** The test IdP's public keys. */
  jwks: ReturnType<typeof createLocalJWKSet>;
  playbackTokens: PlaybackTokenService;
}

export function testService({ storage, jwks, playbackTokens, ...options }: TestServiceOptions): Handler {
  return createVeilService({
    publicUrl: ORIGIN,
    identity: createOidcVerifier({ issuer: ISSUER, audience: API, jwks }),
    perimeter: { issuer: ISSUER, org: 'acme' },
    videos: storage.videos,
    grants: storage.grants,
    keys: storage.keys,
    media: storage.media,
    playbackTokens,
    ...options,
  });
}
