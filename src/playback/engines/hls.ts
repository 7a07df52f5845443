/** Clear and AES-128 HLS: hls.js's light build. */
import Hls from 'hls.js/light';
import type { Engine, EngineOptions } from './types.js';
import { loadHlsWith } from './hls-engine.js';

export function loadHlsEngine(options: EngineOptions): Promise<Engine> {
  return loadHlsWith(Hls, options);
}
