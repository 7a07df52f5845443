/**
 * Maps failed HTTP exchanges with the Veil service to `VeilError`s. The service answers
 * `{ error: { code, message, hint } }`; engines only see statuses, so both paths end here.
 */
import { isVeilErrorCode, VeilError, type VeilErrorCode } from '../protocol/errors.js';

const BY_STATUS: Record<number, VeilErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'PLAYBACK_TOKEN_INVALID',
  403: 'PLAYBACK_NOT_GRANTED',
  404: 'VIDEO_NOT_FOUND',
};

export function errorForStatus(status: number, fallback: VeilErrorCode, cause?: unknown): VeilError {
  return new VeilError(BY_STATUS[status] ?? fallback, { data: { status }, cause });
}

/**
 * Reads the service's JSON error body when there is one; falls back to the status. The viewer
 * message stays the catalogue's (translatable by code); the server's own message and hint, which
 * may name the field at fault, go into `data` for the integrator.
 */
export async function errorFromResponse(response: Response, fallback: VeilErrorCode): Promise<VeilError> {
  let body: { code?: unknown; message?: unknown; hint?: unknown } | undefined;
  try {
    body = ((await response.json()) as { error?: typeof body }).error;
  } catch {
    // Not a Veil JSON error body (a proxy page, say): the status decides.
  }
  if (!isVeilErrorCode(body?.code)) return errorForStatus(response.status, fallback);
  const data: Record<string, unknown> = { status: response.status };
  if (typeof body.message === 'string') data.serverMessage = body.message;
  if (typeof body.hint === 'string') data.serverHint = body.hint;
  return new VeilError(body.code, { data });
}

/** Worth another try: the network, a timeout, or the server's own trouble (5xx, 408, 429). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof VeilError)) return false;
  if (error.category === 'network') return true;
  const status = error.data.status;
  return typeof status === 'number' && (status >= 500 || status === 408 || status === 429);
}
