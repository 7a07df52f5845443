/**
 * HLS through hls.js, shared by both builds: `hls.ts` passes the light build (no EME; AES-128
 * included), `hls-eme.ts` the full build, loaded only for EME-protected HLS.
 */
import type Hls from 'hls.js';
import type { ErrorData, HlsConfig, LoaderConfig, LoadPolicy } from 'hls.js';
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';
import { errorForStatus } from '../../api/errors.js';
import { whenOnline } from '../../internal/backoff.js';
import { ENGINE_RETRY, tokenAudience } from './config.js';
import type { Engine, EngineOptions } from './types.js';
import { hlsTracks, tokenFetchText } from './hls-tracks.js';

type HlsClass = typeof Hls;

/** hls.js ErrorData → VeilError, keeping the original as `cause` (keyLoadError → DRM_LICENSE_REQUEST_FAILED). */
export function veilErrorFromHls(Hls: HlsClass, data: ErrorData): VeilError {
  const status = data.response?.code;
  if (isKeyError(Hls, data)) return new VeilError('DRM_LICENSE_REQUEST_FAILED', { cause: data, data: { details: data.details, status } });
  if (typeof status === 'number' && status >= 400) return errorForStatus(status, 'MEDIA_LOAD_FAILED', data);
  let code: VeilErrorCode = 'MEDIA_LOAD_FAILED';
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) code = 'NETWORK_ERROR';
  else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) code = 'MEDIA_DECODE_FAILED';
  return new VeilError(code, { cause: data, data: { details: data.details, status } });
}

function isKeyError(Hls: HlsClass, data: ErrorData): boolean {
  return (
    data.details === Hls.ErrorDetails.KEY_LOAD_ERROR ||
    data.details === Hls.ErrorDetails.KEY_LOAD_TIMEOUT ||
    data.details === Hls.ErrorDetails.KEY_SYSTEM_LICENSE_REQUEST_FAILED
  );
}

/**
 * A key request reported failed, while online: final. hls.js reports it once its loader has spent
 * the policy's bounded retries (five attempts with backoff); what hls.js does next only repeats
 * them — four more rounds for the fragment, then the other levels, which share the one key of a
 * Veil presentation: measured, 25 refused requests and ~50 s before a viewer heard that the key
 * server is down, against ~8 s now.
 */
function keyRetriesSpent(Hls: HlsClass, data: ErrorData): boolean {
  return isKeyError(Hls, data) && navigator.onLine;
}

/** One load policy for manifests, playlists, keys and segments: bounded retries, 401 renews the token. */
function loadPolicy(renewToken: () => Promise<string>): LoadPolicy {
  const retry = {
    maxNumRetry: ENGINE_RETRY.attempts - 1,
    retryDelayMs: ENGINE_RETRY.baseDelayMs,
    maxRetryDelayMs: ENGINE_RETRY.maxDelayMs,
    backoff: 'exponential' as const,
  };
  const policy: LoaderConfig = {
    maxTimeToFirstByteMs: ENGINE_RETRY.timeoutMs,
    maxLoadTimeMs: ENGINE_RETRY.timeoutMs * 2,
    timeoutRetry: retry,
    errorRetry: {
      ...retry,
      shouldRetry: (config, retryCount, _isTimeout, response, retryByDefault) => {
        if (response?.code !== 401) return retryByDefault;
        void renewToken().catch(() => undefined); // the retry's xhrSetup awaits the new token
        return retryCount < (config?.maxNumRetry ?? 0);
      },
    },
  };
  return { default: policy };
}

/** Extra configuration an hls.js build needs (EME settings for the full build). */
export type HlsExtraConfig = (options: EngineOptions, mayCarryToken: (url: string) => boolean) => Partial<HlsConfig>;

export async function loadHlsWith(Hls: HlsClass, options: EngineOptions, extraConfig?: HlsExtraConfig): Promise<Engine> {
  const { media, session } = options;
  if (!Hls.isSupported()) throw new VeilError('MEDIA_UNSUPPORTED', { data: { engine: 'hls.js' } });
  const mayCarryToken = tokenAudience(session);
  const policy = loadPolicy(options.renewToken);
  const hls = new Hls({
    enableWorker: Boolean(options.hlsWorkerUrl),
    workerPath: options.hlsWorkerUrl,
    manifestLoadPolicy: policy,
    playlistLoadPolicy: policy,
    keyLoadPolicy: policy,
    fragLoadPolicy: policy,
    // hls.js hands over an unopened XHR and awaits this: open it so the header can be set.
    async xhrSetup(xhr, url) {
      const token = mayCarryToken(url) ? await options.token() : undefined;
      xhr.open('GET', url, true);
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    },
    ...extraConfig?.(options, mayCarryToken),
  });

  const tracks = hlsTracks(Hls, hls, media, tokenFetchText(options));
  let recoveries = 0;
  await new Promise<void>((resolve, reject) => {
    let loaded = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      loaded = true;
      resolve();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal && loaded && keyRetriesSpent(Hls, data)) {
        hls.stopLoad();
        return options.onError(veilErrorFromHls(Hls, data));
      }
      if (!data.fatal) return;
      if (!loaded) return reject(veilErrorFromHls(Hls, data));
      // After start-up every request already had its bounded retries. What is left: wait out an
      // offline spell and load on; give the decoder a few recoveries; anything else is final.
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && !navigator.onLine) {
        void whenOnline().then(() => hls.startLoad());
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && recoveries < ENGINE_RETRY.mediaRecoveries) {
        recoveries += 1;
        hls.recoverMediaError();
      } else {
        options.onError(veilErrorFromHls(Hls, data));
      }
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
