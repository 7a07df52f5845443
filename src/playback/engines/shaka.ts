/**
 * DASH + EME through shaka-player's DASH-only ES2021 build (the smallest that covers both).
 */
import shaka from 'shaka-player/dist/shaka-player.dash-es2021.js';
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';
import { errorForStatus } from '../../api/errors.js';
import { whenOnline } from '../../internal/backoff.js';
import { ENGINE_RETRY, tokenAudience } from './config.js';
import type { Engine, EngineOptions } from './types.js';
import { shakaTracks } from './shaka-tracks.js';

// shaka.util.Error codes and values we translate (lib/util/error.js).
const BAD_HTTP_STATUS = 1001;
const REQUESTED_KEY_SYSTEM_CONFIG_UNAVAILABLE = 6001;
const LICENSE_REQUEST_FAILED = 6007;
const NO_LICENSE_SERVER_GIVEN = 6012;
const LOAD_INTERRUPTED = 7000;
const CATEGORY_NETWORK = 1;
const CATEGORY_MEDIA = 3;
const CATEGORY_DRM = 6;
const SEVERITY_CRITICAL = 2;

interface ShakaErrorLike {
  code: number;
  category: number;
  severity?: number;
  data: unknown[];
}

function isShakaError(value: unknown): value is ShakaErrorLike {
  return typeof value === 'object' && value !== null && 'code' in value && 'category' in value && 'data' in value;
}

function httpStatusOf(error: ShakaErrorLike): number | undefined {
  if (error.code === BAD_HTTP_STATUS && typeof error.data[1] === 'number') return error.data[1];
  const nested = error.data[0];
  return isShakaError(nested) ? httpStatusOf(nested) : undefined;
}

/** shaka.util.Error → VeilError, keeping the original as `cause` (e.g. 6007 → DRM_LICENSE_REQUEST_FAILED). */
export function veilErrorFromShaka(error: unknown): VeilError {
  if (!isShakaError(error)) return new VeilError('MEDIA_LOAD_FAILED', { cause: error });
  const status = httpStatusOf(error);
  let code: VeilErrorCode;
  if (error.code === REQUESTED_KEY_SYSTEM_CONFIG_UNAVAILABLE || error.code === NO_LICENSE_SERVER_GIVEN) code = 'DRM_UNSUPPORTED';
  else if (error.code === LICENSE_REQUEST_FAILED || error.category === CATEGORY_DRM) code = 'DRM_LICENSE_REQUEST_FAILED';
  else if (status !== undefined) return errorForStatus(status, 'MEDIA_LOAD_FAILED', error);
  else if (error.category === CATEGORY_NETWORK) code = 'NETWORK_ERROR';
  else if (error.category === CATEGORY_MEDIA) code = 'MEDIA_DECODE_FAILED';
  else code = 'MEDIA_LOAD_FAILED';
  return new VeilError(code, { cause: error, data: { shakaCode: error.code, status } });
}

export async function loadShakaEngine(options: EngineOptions): Promise<Engine> {
  const { media, session } = options;
  shaka.polyfill.installAll();
  const player = new shaka.Player();
  const mayCarryToken = tokenAudience(session);
  const retryParameters = {
    maxAttempts: ENGINE_RETRY.attempts,
    baseDelay: ENGINE_RETRY.baseDelayMs,
    backoffFactor: 2,
    fuzzFactor: 0.5,
    timeout: ENGINE_RETRY.timeoutMs,
    stallTimeout: 0,
    connectionTimeout: 0,
  };

  player.configure({
    drm: {
      servers: Object.fromEntries(Object.entries(session.drm.keySystems ?? {}).map(([keySystem, { licenseUrl }]) => [keySystem, licenseUrl])),
      retryParameters,
    },
    manifest: { retryParameters },
    streaming: {
      retryParameters,
      // Every request already had its bounded retries. What is left: wait out an offline spell
      // and stream on from where it stopped; anything else is final.
      failureCallback: (error: unknown) => {
        if (navigator.onLine) options.onError(veilErrorFromShaka(error));
        else void whenOnline().then(() => player.retryStreaming());
      },
    },
  });

  const net = player.getNetworkingEngine();
  net?.registerRequestFilter(async (_type, request) => {
    if (request.uris.every(mayCarryToken)) request.headers['Authorization'] = `Bearer ${await options.token()}`;
  });
  // shaka retries 4xx too, re-running request filters: a 401 renews the token before the retry.
  net?.addEventListener('retry', (event) => {
    const error = (event as Event & { error?: unknown }).error;
    if (isShakaError(error) && httpStatusOf(error) === 401) void options.renewToken().catch(() => undefined);
  });
  player.addEventListener('error', (event) => {
    const detail = (event as Event & { detail?: unknown }).detail;
    // Recoverable streaming errors go through failureCallback above; critical ones end playback.
    if (isShakaError(detail) && (detail.severity === SEVERITY_CRITICAL || detail.category === CATEGORY_DRM)) {
      options.onError(veilErrorFromShaka(detail));
    }
  });

  const tracks = shakaTracks(player, media);

  try {
    await player.attach(media);
    await player.load(session.manifestUrl);
  } catch (error) {
    tracks.destroy();
    await player.destroy();
    if (isShakaError(error) && error.code === LOAD_INTERRUPTED) throw new VeilError('MEDIA_LOAD_FAILED', { cause: error });
    throw veilErrorFromShaka(error);
  }
  return {
    ...tracks,
    destroy: async () => {
      tracks.destroy();
      await player.destroy();
    },
  };
}
