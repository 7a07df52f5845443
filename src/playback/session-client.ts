/**
 * Requests a playback session from the token service.
 */
import { VeilError } from '../errors.js';
import type { PlaybackSession, PlaybackSessionRequest } from './contract.js';
import { errorFromResponse } from './http-errors.js';

export async function requestPlaybackSession(api: string, videoId: string, accessToken: string, signal?: AbortSignal): Promise<PlaybackSession> {
  const body: PlaybackSessionRequest = { videoId };
  let response: Response;
  try {
    response = await fetch(`${api}/api/playback-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new VeilError('NETWORK_ERROR', { cause });
  }
  if (!response.ok) throw await errorFromResponse(response, 'PLAYBACK_SESSION_FAILED');
  return (await response.json()) as PlaybackSession;
}
