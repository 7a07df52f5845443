/**
 * The one error type Veil throws, emits (`veil-error`) and reflects (`error-code`).
 *
 * Modelled on shaka-player's `shaka.util.Error` (severity, category, code, data) and jose's
 * stable string codes with `cause`: a host can switch on `code` forever, a viewer gets
 * `message`, an integrator gets `hint`, and the original engine/IdP error stays in `cause`.
 *
 * The catalogue is two tables keyed by code: this one (what every bundle needs to raise an
 * error: category, severity, status, viewer message) and the integrator hints in
 * `error-hints.ts`, which the compiler holds to exactly the same codes. The hints are kept out
 * of the elements' bundles (4 KB gzip a denied viewer would download to be told no): they come
 * with the server, the `veil-video` root entry (`ERROR_CODES`) and the README's table.
 */

export type VeilErrorCategory =
  | 'identity'
  | 'perimeter'
  | 'token'
  | 'network'
  | 'media'
  | 'drm'
  | 'watermark'
  | 'audit'
  | 'capture'
  | 'share'
  | 'config';

/** `recoverable`: the element may retry or the viewer may act; `critical`: playback is over. */
export type VeilErrorSeverity = 'recoverable' | 'critical';

interface CodeInfo {
  readonly category: VeilErrorCategory;
  readonly severity: VeilErrorSeverity;
  /** HTTP status the reference server answers with for this code (where it applies). */
  readonly status?: number;
  /** What the viewer is told. */
  readonly message: string;
}

/**
 * The error-code catalogue: the single place where codes are defined (their hints: the
 * `ERROR_HINTS` table beside it). README "Errors" is generated from both.
 */
export const ERROR_INFO = {
  CONFIG_INVALID: {
    category: 'config',
    severity: 'critical',
    status: 400,
    message: 'This video player is not set up correctly.',
  },
  SIGN_IN_REQUIRED: {
    category: 'identity',
    severity: 'recoverable',
    message: 'Sign in with your organisation account to watch this video.',
  },
  SIGN_IN_FAILED: {
    category: 'identity',
    severity: 'recoverable',
    message: 'Signing in did not complete. Please try again.',
  },
  ACCESS_TOKEN_INVALID: {
    category: 'identity',
    severity: 'recoverable',
    status: 401,
    message: 'Your sign-in could not be verified. Please sign in again.',
  },
  PERIMETER_DENIED: {
    category: 'perimeter',
    severity: 'critical',
    status: 403,
    message: 'This video belongs to another organisation. Your account does not have access.',
  },
  VIDEO_NOT_FOUND: {
    category: 'media',
    severity: 'critical',
    status: 404,
    message: 'This video does not exist or is no longer available.',
  },
  PLAYBACK_NOT_GRANTED: {
    category: 'token',
    severity: 'critical',
    status: 403,
    message: 'You do not have access to this video. Ask its owner to share it with you.',
  },
  PLAYBACK_TOKEN_MISSING: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'Your viewing session is not authorised.',
  },
  PLAYBACK_TOKEN_INVALID: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'Your viewing session could not be verified.',
  },
  PLAYBACK_TOKEN_EXPIRED: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'Your viewing session expired.',
  },
  PLAYBACK_TOKEN_WRONG_VIDEO: {
    category: 'token',
    severity: 'critical',
    status: 403,
    message: 'Your viewing session is not valid for this video.',
  },
  PLAYBACK_SESSION_FAILED: {
    category: 'token',
    severity: 'recoverable',
    message: 'The video service could not start your viewing session.',
  },
  NETWORK_ERROR: {
    category: 'network',
    severity: 'recoverable',
    message: 'The video service cannot be reached. Check your connection.',
  },
  MEDIA_UNSUPPORTED: {
    category: 'media',
    severity: 'critical',
    message: 'This browser cannot play this video.',
  },
  MEDIA_LOAD_FAILED: {
    category: 'media',
    severity: 'critical',
    message: 'The video could not be loaded.',
  },
  MEDIA_DECODE_FAILED: {
    category: 'media',
    severity: 'critical',
    message: 'The video could not be decoded.',
  },
  DRM_UNSUPPORTED: {
    category: 'drm',
    severity: 'critical',
    message: 'This browser cannot play protected video.',
  },
  DRM_LICENSE_REQUEST_FAILED: {
    category: 'drm',
    severity: 'critical',
    message: 'The video could not be unlocked.',
  },
  WATERMARK_TAMPERED: {
    category: 'watermark',
    severity: 'recoverable',
    message: 'Playback is paused because the viewer watermark was hidden, covered or changed. Undo the change to keep watching.',
  },
  SERVER_ERROR: {
    category: 'network',
    severity: 'recoverable',
    status: 500,
    message: 'The video service had a problem. Please try again.',
  },
  NOT_FOUND: {
    category: 'config',
    severity: 'critical',
    status: 404,
    message: 'The requested resource does not exist.',
  },
  BAD_REQUEST: {
    category: 'config',
    severity: 'critical',
    status: 400,
    message: 'The request was not understood.',
  },
  METHOD_NOT_ALLOWED: {
    category: 'config',
    severity: 'critical',
    status: 405,
    message: 'The request was not understood.',
  },
  REQUEST_TOO_LARGE: {
    category: 'config',
    severity: 'critical',
    status: 413,
    message: 'The request was too large.',
  },
  REQUEST_TIMEOUT: {
    category: 'network',
    severity: 'recoverable',
    status: 408,
    message: 'The connection to the video service was too slow. Please try again.',
  },
  AUDIT_BATCH_INVALID: {
    category: 'audit',
    severity: 'critical',
    status: 400,
    message: 'The audit batch was not accepted.',
  },
  AUDIT_BATCH_TOO_LARGE: {
    category: 'audit',
    severity: 'critical',
    status: 413,
    message: 'The audit batch is too large.',
  },
  AUDIT_BUDGET_EXCEEDED: {
    category: 'audit',
    severity: 'critical',
    status: 403,
    message: 'Some viewing records were not accepted.',
  },
  AUDIT_EVENT_TOO_LATE: {
    category: 'audit',
    severity: 'critical',
    status: 400,
    message: 'Some viewing records were not accepted.',
  },
  AUDIT_ADMIN_REQUIRED: {
    category: 'audit',
    severity: 'critical',
    status: 403,
    message: 'Only administrators of your organisation can read the audit trail.',
  },
  AUDIT_DELIVERY_FAILED: {
    category: 'audit',
    severity: 'recoverable',
    message: 'Some viewing records could not be delivered.',
  },
  VIDEO_NOT_READY: {
    category: 'media',
    severity: 'recoverable',
    status: 409,
    message: 'This video is still being processed.',
  },
  VIDEO_PROCESSING_FAILED: {
    category: 'media',
    severity: 'critical',
    status: 409,
    message: 'This recording could not be processed.',
  },
  UPLOAD_TOKEN_INVALID: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'The upload could not be authorised.',
  },
  UPLOAD_NOT_FOUND: {
    category: 'capture',
    severity: 'critical',
    status: 404,
    message: 'This upload does not exist or has expired.',
  },
  UPLOAD_QUOTA_EXCEEDED: {
    category: 'capture',
    severity: 'critical',
    status: 413,
    message: 'You have used up your recording allowance (storage, recording time or uploads at once). Delete old recordings or ask your administrator for more.',
  },
  UPLOAD_OFFSET_MISMATCH: {
    category: 'network',
    severity: 'recoverable',
    status: 409,
    message: 'The upload is being realigned with the server.',
  },
  UPLOAD_CHECKSUM_MISMATCH: {
    category: 'network',
    severity: 'recoverable',
    status: 460,
    message: 'Part of the recording arrived damaged and is being sent again.',
  },
  // Recorder (issue 11): the whole recording's checksum.
  RECORDING_CHECKSUM_MISMATCH: {
    category: 'capture',
    severity: 'recoverable',
    status: 422,
    message: 'The uploaded recording did not match the one on this device; it is being sent again.',
  },
  UPLOAD_FAILED: {
    category: 'network',
    severity: 'recoverable',
    message: 'The recording could not be uploaded yet. It is kept on this device and will be sent later.',
  },
  RECORDING_UNREADABLE: {
    category: 'media',
    severity: 'critical',
    status: 422,
    message: 'The recording could not be read.',
  },
  RECORDING_UNSUPPORTED: {
    category: 'media',
    severity: 'critical',
    status: 422,
    message: 'The recording uses a format the service does not accept.',
  },
  RECORDING_TOO_LONG: {
    category: 'media',
    severity: 'critical',
    status: 422,
    message: 'The recording is longer than allowed.',
  },
  RECORDING_PROCESSING_FAILED: {
    category: 'media',
    severity: 'critical',
    status: 500,
    message: 'The recording could not be processed.',
  },
  CAPTURE_PERMISSION_DENIED: {
    category: 'capture',
    severity: 'recoverable',
    message: 'Veil may not use your camera, microphone or screen.',
  },
  CAPTURE_UNSUPPORTED: {
    category: 'capture',
    severity: 'critical',
    message: 'This browser cannot record video.',
  },
  CAPTURE_QUOTA_EXCEEDED: {
    category: 'capture',
    severity: 'recoverable',
    message: 'There is not enough free space on this device to record safely.',
  },
  CAPTURE_FAILED: {
    category: 'capture',
    severity: 'recoverable',
    message: 'The recording stopped unexpectedly.',
  },
  SHARE_NOT_ALLOWED: {
    category: 'share',
    severity: 'recoverable',
    status: 403,
    message: 'You cannot change who has access to this video.',
  },
  SHARE_OUTSIDE_ORG: {
    category: 'share',
    severity: 'recoverable',
    status: 422,
    message: 'Videos can only be shared with people and groups of your organisation.',
  },
  SHARE_POLICY_VIOLATION: {
    category: 'share',
    severity: 'recoverable',
    status: 422,
    message: "This change is not allowed by your organisation's sharing policy.",
  },
  SHARE_CONFLICT: {
    category: 'share',
    severity: 'recoverable',
    status: 412,
    message: "Someone else changed this video's access at the same time. Review the current access and try again.",
  },
  SHARE_PRECONDITION_REQUIRED: {
    category: 'share',
    severity: 'recoverable',
    status: 428,
    message: "The change could not be saved. Reload the video's access and try again.",
  },
  // Sharing policy administration (issue 12, second part).
  SHARING_POLICY_ADMIN_REQUIRED: {
    category: 'share',
    severity: 'recoverable',
    status: 403,
    message: "Only administrators of your organisation can change its sharing policy.",
  },
  RATE_LIMITED: {
    category: 'network',
    severity: 'recoverable',
    status: 429,
    message: 'The video service is busy. Please wait a moment and try again.',
  },
  CLIENT_BLOCKED: {
    category: 'network',
    severity: 'recoverable',
    status: 429,
    message: 'This device is blocked from the video service for a few minutes. Please try again later.',
  },
  ORIGIN_NOT_ALLOWED: {
    category: 'config',
    severity: 'critical',
    status: 403,
    message: 'This page is not allowed to use the video service.',
  },
  // LTI 1.3 (issue 13): login initiation refusals are 400, launch refusals 401; each rule its own code.
  LTI_LOGIN_PARAMETER_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 400,
    message: 'The course tool could not be started.',
  },
  LTI_PLATFORM_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 400,
    message: 'The course tool could not be started.',
  },
  LTI_TARGET_LINK_UNREGISTERED: {
    category: 'identity',
    severity: 'critical',
    status: 400,
    message: 'The course tool could not be started.',
  },
  LTI_DEPLOYMENT_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course tool is not set up for your course.',
  },
  LTI_STATE_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch has expired or was already used. Reload the course page.',
  },
  LTI_STATE_UNBOUND: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be completed in this browser. Reload the course page.',
  },
  LTI_ID_TOKEN_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_ID_TOKEN_MALFORMED: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_JOSE_HEADER_REFUSED: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_SIGNATURE_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_ISSUER_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_AUDIENCE_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_TOKEN_EXPIRED: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch has expired. Reload the course page.',
  },
  LTI_TOKEN_TIME_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_NONCE_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_MESSAGE_TYPE_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_VERSION_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_TARGET_LINK_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_RESOURCE_LINK_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_SUBJECT_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'Sign in to your course to watch this video.',
  },
  LTI_ROLES_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_CONTEXT_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This video can only be watched from a course.',
  },
  LTI_CLAIM_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
  },
  LTI_SESSION_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'Your course session has ended. Reload the course page.',
  },
  // LTI Deep Linking 2.0 (issue 13): the picker an instructor's `LtiDeepLinkingRequest` opens.
  LTI_DEEP_LINK_SETTINGS_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'Videos cannot be added to this course from here.',
  },
  LTI_DEEP_LINK_ROLE_REFUSED: {
    category: 'identity',
    severity: 'critical',
    status: 403,
    message: 'Only the course\'s teachers can add videos to it.',
  },
  LTI_INSTRUCTOR_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 403,
    message: 'Your course account is not linked to a video account. Ask your administrator.',
  },
  LTI_DEEP_LINK_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This choice has expired or was already made. Start adding the video again from the course.',
  },
  LTI_DEEP_LINK_VIDEO_REFUSED: {
    category: 'share',
    severity: 'critical',
    status: 403,
    message: 'You cannot add this video to a course.',
  },
  // Entra ID sign-in and SCIM provisioning (issue 14).
  ENTRA_GUEST_NOT_ALLOWED: {
    category: 'perimeter',
    severity: 'critical',
    status: 403,
    message: 'Guest accounts cannot watch this video. Sign in with an account of the organisation.',
  },
  ENTRA_GROUPS_OVERAGE: {
    category: 'identity',
    severity: 'critical',
    status: 403,
    message: 'Your account is in too many groups to be checked. Ask your administrator for help.',
  },
  ACCOUNT_DEPROVISIONED: {
    category: 'perimeter',
    severity: 'critical',
    status: 403,
    message: 'Your account has been deactivated. Ask your administrator for help.',
  },
  SCIM_UNAUTHORIZED: {
    category: 'config',
    severity: 'critical',
    status: 401,
    message: 'The provisioning request was not authorised.',
  },
  // Recordings in two presentations (issue 11: CENC DASH and AES-128 HLS).
  VIDEO_PROTOCOL_UNSUPPORTED: {
    category: 'media',
    severity: 'critical',
    status: 406,
    message: 'This browser cannot play this video.',
  },
} as const satisfies Record<string, CodeInfo>;

export type VeilErrorCode = keyof typeof ERROR_INFO;

/** The hints in use, once `error-hints.ts` has been loaded (it registers them). */
let hints: Readonly<Record<VeilErrorCode, string>> | undefined;

/** Called by `error-hints.ts` only: from then on every `VeilError` carries its code's hint. */
export function useErrorHints(table: Readonly<Record<VeilErrorCode, string>>): void {
  hints = table;
}

export interface VeilErrorOptions {
  /** Overrides the catalogue's viewer message (still rendered as text, never HTML). */
  message?: string;
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class VeilError extends Error {
  override readonly name = 'VeilError';
  readonly code: VeilErrorCode;
  readonly category: VeilErrorCategory;
  readonly severity: VeilErrorSeverity;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: VeilErrorCode, options: VeilErrorOptions = {}) {
    const info: CodeInfo = ERROR_INFO[code];
    super(options.message ?? info.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.category = info.category;
    this.severity = info.severity;
    this.data = Object.freeze({ ...options.data });
  }

  /**
   * What the integrator can do about it. Where the hints table is not loaded (an element's own
   * bundle: `veil-video/player`, `/session`, `/define`), it says where to read it.
   */
  get hint(): string {
    return hints?.[this.code] ?? `See ERROR_CODES.${this.code}.hint (exported by 'veil-video') or the README's "Errors" table.`;
  }

  /** The HTTP status the reference server uses for this code. */
  get status(): number {
    return (ERROR_INFO[this.code] as CodeInfo).status ?? 500;
  }

  /** The JSON body the reference server sends: `{ error: { code, message, hint } }`. */
  toJSON(): { error: { code: VeilErrorCode; message: string; hint: string } } {
    return { error: { code: this.code, message: this.message, hint: this.hint } };
  }
}

export function isVeilError(value: unknown): value is VeilError {
  return value instanceof VeilError;
}

export function isVeilErrorCode(value: unknown): value is VeilErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_INFO, value);
}
