/** EME-protected HLS: the full hls.js build, fetched only by pages whose stream needs it. */
import Hls from 'hls.js';
import type { Engine, EngineOptions } from './types.js';
import { loadHlsWith } from './hls-engine.js';

export function loadHlsEmeEngine(options: EngineOptions): Promise<Engine> {
  return loadHlsWith(Hls, options, ({ session, token }, mayCarryToken) => ({
    emeEnabled: true,
    drmSystems: Object.fromEntries(Object.entries(session.drm.keySystems ?? {}).map(([keySystem, { licenseUrl }]) => [keySystem, { licenseUrl }])),
    async licenseXhrSetup(xhr, url) {
      const bearer = mayCarryToken(url) ? await token() : undefined;
      xhr.open('POST', url, true);
      if (bearer) xhr.setRequestHeader('Authorization', `Bearer ${bearer}`);
    },
  }));
}
