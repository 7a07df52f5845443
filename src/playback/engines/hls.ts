/**
 * HLS through hls.js's light build (no EME; AES-128 segment decryption is included).
 */
import Hls, { type ErrorData } from 'hls.js/light';
import { VeilError, type VeilErrorCode } from '../../errors.js';
import { errorForStatus } from '../http-errors.js';
import { tokenAudience, type Engine, type EngineOptions } from './engine.js';
import { hlsTracks, tokenFetchText } from './hls-tracks.js';

/** hls.js ErrorData → VeilError, keeping the original as `cause`. */
export function veilErrorFromHls(data: ErrorData): VeilError {
  const status = data.response?.code;
  const isKey = data.details === Hls.ErrorDetails.KEY_LOAD_ERROR || data.details === Hls.ErrorDetails.KEY_LOAD_TIMEOUT;
  if (isKey) return new VeilError('DRM_LICENSE_REQUEST_FAILED', { cause: data, data: { details: data.details, status } });
  if (typeof status === 'number' && status >= 400) return errorForStatus(status, 'MEDIA_LOAD_FAILED', data);
  let code: VeilErrorCode = 'MEDIA_LOAD_FAILED';
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) code = 'NETWORK_ERROR';
  else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) code = 'MEDIA_DECODE_FAILED';
  return new VeilError(code, { cause: data, data: { details: data.details, status } });
}

export async function loadHlsEngine(options: EngineOptions): Promise<Engine> {
  const { media, session } = options;
  if (!Hls.isSupported()) throw new VeilError('MEDIA_UNSUPPORTED', { data: { engine: 'hls.js' } });
  const mayCarryToken = tokenAudience(session);
  const hls = new Hls({
    enableWorker: Boolean(options.hlsWorkerUrl),
    workerPath: options.hlsWorkerUrl,
    // hls.js hands over an unopened XHR: open it here so the header can be set.
    xhrSetup(xhr, url) {
      xhr.open('GET', url, true);
      if (mayCarryToken(url)) xhr.setRequestHeader('Authorization', `Bearer ${options.token()}`);
    },
  });

  const tracks = hlsTracks(hls, media, tokenFetchText(options));

  await new Promise<void>((resolve, reject) => {
    let loaded = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      loaded = true;
      resolve();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      const error = veilErrorFromHls(data);
      if (loaded) options.onError(error);
      else reject(error);
    });
    hls.attachMedia(media);
    hls.loadSource(session.manifestUrl);
  }).catch((error: unknown) => {
    tracks.destroy();
    hls.destroy();
    throw error;
  });
  return {
    ...tracks,
    destroy: async () => {
      tracks.destroy();
      hls.destroy();
    },
  };
}
