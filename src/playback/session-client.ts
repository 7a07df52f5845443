/**
 * Requests (and renews) a playback session from the token service.
 */
import { VeilError } from '../protocol/errors.js';
import type { PlaybackSession, PlaybackSessionRequest } from '../protocol/playback.js';
import { apiUrls } from '../protocol/paths.js';
import { errorFromResponse } from './http-errors.js';

/** Per-request timeout: a hung token service must not hang the player. */
export const SESSION_REQUEST_TIMEOUT_MS = 10_000;

export async function requestPlaybackSession(
  api: string,
  body: PlaybackSessionRequest,
  accessToken: string,
  signal?: AbortSignal,
): Promise<PlaybackSession> {
  const timeout = AbortSignal.timeout(SESSION_REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(apiUrls(api).playbackSessions(), {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new VeilError('NETWORK_ERROR', { cause, data: { timedOut: timeout.aborted } });
  }
  if (!response.ok) throw await errorFromResponse(response, 'PLAYBACK_SESSION_FAILED');
  return (await response.json()) as PlaybackSession;
}
