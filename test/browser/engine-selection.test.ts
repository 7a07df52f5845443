import { expect } from '@open-wc/testing';
import { engineFor } from '../../src/playback/engines/registry.js';
import { tokenAudience } from '../../src/playback/engines/config.js';
import type { PlaybackSession } from '../../src/protocol/playback.js';

describe('engine selection', () => {
  it('DASH → shaka; clear or AES-128 HLS → hls.js light; EME HLS → full hls.js', () => {
    expect(engineFor({ protocol: 'dash', drm: { keySystems: { 'org.w3.clearkey': { licenseUrl: 'https://l' } } } })).to.equal('shaka');
    expect(engineFor({ protocol: 'hls', drm: { aes128: true } })).to.equal('hls-light');
    expect(engineFor({ protocol: 'hls', drm: {} })).to.equal('hls-light');
    expect(engineFor({ protocol: 'hls', drm: { keySystems: { 'com.widevine.alpha': { licenseUrl: 'https://l' } } } })).to.equal('hls-eme');
    expect(() => engineFor({ protocol: 'smooth' as 'dash', drm: {} })).to.throw().with.property('code', 'MEDIA_UNSUPPORTED');
  });

  it('sends the token only to the manifest and license origins', () => {
    const mayCarry = tokenAudience({
      manifestUrl: 'https://video.acme.test/media/v/manifest.mpd',
      drm: { keySystems: { 'org.w3.clearkey': { licenseUrl: 'https://license.acme.test/api/license/v' } } },
    } as unknown as PlaybackSession);
    expect(mayCarry('https://video.acme.test/media/v/seg-1.m4s')).to.equal(true);
    expect(mayCarry('seg-2.m4s')).to.equal(true);
    expect(mayCarry('https://license.acme.test/api/license/v')).to.equal(true);
    expect(mayCarry('https://cdn.example.net/seg-1.m4s')).to.equal(false);
  });
});
