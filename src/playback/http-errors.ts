/**
 * Maps failed HTTP exchanges with the Veil service to `VeilError`s. The service answers
 * `{ error: { code } }`; engines only see statuses, so both paths end here.
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

/** Reads the service's JSON error body when there is one; falls back to the status. */
export async function errorFromResponse(response: Response, fallback: VeilErrorCode): Promise<VeilError> {
  let code: unknown;
  try {
    code = ((await response.json()) as { error?: { code?: unknown } }).error?.code;
  } catch {
    // Not a Veil JSON error body (a proxy page, say): the status decides.
  }
  if (isVeilErrorCode(code)) return new VeilError(code, { data: { status: response.status } });
  return errorForStatus(response.status, fallback);
}
