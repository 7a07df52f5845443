/**
 * The one error type Veil throws, emits (`veil-error`) and reflects (`error-code`).
 *
 * Modelled on shaka-player's `shaka.util.Error` (severity, category, code, data) and jose's
 * stable string codes with `cause`: a host can switch on `code` forever, a viewer gets
 * `message`, an integrator gets `hint`, and the original engine/IdP error stays in `cause`.
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
  /** What the integrator can do about it. */
  readonly hint: string;
}

/**
 * The error-code catalogue: the single place where codes are defined and documented.
 * README "Error codes" is generated from the same table's meaning; keep them in step.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: {
    category: 'config',
    severity: 'critical',
    status: 400,
    message: 'This video player is not set up correctly.',
    hint: 'A required attribute or option is missing or malformed; the error data names it.',
  },
  SIGN_IN_REQUIRED: {
    category: 'identity',
    severity: 'recoverable',
    message: 'Sign in with your organisation account to watch this video.',
    hint: 'No signed-in viewer. Call session.signIn() or set `auto-sign-in` on <veil-session>.',
  },
  SIGN_IN_FAILED: {
    category: 'identity',
    severity: 'recoverable',
    message: 'Signing in did not complete. Please try again.',
    hint: 'The identity provider returned an error or the callback could not be processed; see `cause`.',
  },
  ACCESS_TOKEN_INVALID: {
    category: 'identity',
    severity: 'recoverable',
    status: 401,
    message: 'Your sign-in could not be verified. Please sign in again.',
    hint: 'The access token is missing, expired, or fails issuer/audience/type/signature checks.',
  },
  PERIMETER_DENIED: {
    category: 'perimeter',
    severity: 'critical',
    status: 403,
    message: 'This video belongs to another organisation. Your account does not have access.',
    hint: "The viewer's verified claims (issuer, org, groups, email domain) are outside the perimeter.",
  },
  VIDEO_NOT_FOUND: {
    category: 'media',
    severity: 'critical',
    status: 404,
    message: 'This video does not exist or is no longer available.',
    hint: 'Check the `video` attribute against the video ids your service knows.',
  },
  PLAYBACK_NOT_GRANTED: {
    category: 'token',
    severity: 'critical',
    status: 403,
    message: 'You do not have access to this video. Ask its owner to share it with you.',
    hint: 'The viewer is inside the perimeter but neither the video audience nor a grant includes them.',
  },
  PLAYBACK_TOKEN_MISSING: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'Your viewing session is not authorised.',
    hint: 'Media, key and license requests need `Authorization: Bearer <playback token>`.',
  },
  PLAYBACK_TOKEN_INVALID: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'Your viewing session could not be verified.',
    hint: 'The playback token failed signature, algorithm, issuer or audience checks.',
  },
  PLAYBACK_TOKEN_EXPIRED: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'Your viewing session expired.',
    hint: 'The playback token is past `exp`; the player renews it before expiry.',
  },
  PLAYBACK_TOKEN_WRONG_VIDEO: {
    category: 'token',
    severity: 'critical',
    status: 403,
    message: 'Your viewing session is not valid for this video.',
    hint: "The playback token's `vid` does not match the requested video.",
  },
  PLAYBACK_SESSION_FAILED: {
    category: 'token',
    severity: 'recoverable',
    message: 'The video service could not start your viewing session.',
    hint: 'The playback-session request failed; see `data.status` and `cause`.',
  },
  NETWORK_ERROR: {
    category: 'network',
    severity: 'recoverable',
    message: 'The video service cannot be reached. Check your connection.',
    hint: 'A request failed before a response arrived (offline, DNS, CORS, or TLS).',
  },
  MEDIA_UNSUPPORTED: {
    category: 'media',
    severity: 'critical',
    message: 'This browser cannot play this video.',
    hint: 'Media Source Extensions or the stream codecs are not available in this browser.',
  },
  MEDIA_LOAD_FAILED: {
    category: 'media',
    severity: 'critical',
    message: 'The video could not be loaded.',
    hint: 'The manifest or a segment failed to load or parse; see `cause` for the engine error.',
  },
  MEDIA_DECODE_FAILED: {
    category: 'media',
    severity: 'critical',
    message: 'The video could not be decoded.',
    hint: 'The media element reported a decode error; see `cause`.',
  },
  DRM_UNSUPPORTED: {
    category: 'drm',
    severity: 'critical',
    message: 'This browser cannot play protected video.',
    hint: 'None of the key systems offered by the playback session is available (EME).',
  },
  DRM_LICENSE_REQUEST_FAILED: {
    category: 'drm',
    severity: 'critical',
    message: 'The video could not be unlocked.',
    hint: 'The license or key request failed; see `data.status` and `cause`.',
  },
  WATERMARK_TAMPERED: {
    category: 'watermark',
    severity: 'recoverable',
    message: 'Playback is paused because the viewer watermark was hidden, covered or changed. Undo the change to keep watching.',
    hint: 'Something on the page removed, restyled, moved or covered the watermark overlay (`data.vectors` says how). Hosts may restyle `::part(watermark)` (font, colour, shadow, more opacity) but not hide, clip, transform, move or cover it; the player plays again once it is intact.',
  },
  SERVER_ERROR: {
    category: 'network',
    severity: 'recoverable',
    status: 500,
    message: 'The video service had a problem. Please try again.',
    hint: 'An unexpected server-side error; the server log has details.',
  },
  NOT_FOUND: {
    category: 'config',
    severity: 'critical',
    status: 404,
    message: 'The requested resource does not exist.',
    hint: 'Check the URL against the service routes documented in the README.',
  },
  BAD_REQUEST: {
    category: 'config',
    severity: 'critical',
    status: 400,
    message: 'The request was not understood.',
    hint: 'The request body or parameters are malformed; the error message names the field.',
  },
  METHOD_NOT_ALLOWED: {
    category: 'config',
    severity: 'critical',
    status: 405,
    message: 'The request was not understood.',
    hint: 'The route does not take this method; see `Allow`.',
  },
  REQUEST_TOO_LARGE: {
    category: 'config',
    severity: 'critical',
    status: 413,
    message: 'The request was too large.',
    hint: 'The body is over the route\'s limit; the message says it.',
  },
  REQUEST_TIMEOUT: {
    category: 'network',
    severity: 'recoverable',
    status: 408,
    message: 'The connection to the video service was too slow. Please try again.',
    hint: 'The body did not arrive within the body timeout.',
  },
  AUDIT_BATCH_INVALID: {
    category: 'audit',
    severity: 'critical',
    status: 400,
    message: 'The audit batch was not accepted.',
    hint: 'The batch does not match the audit event schema (README "Audit trail"); nothing of it was stored. The message names the field.',
  },
  AUDIT_BATCH_TOO_LARGE: {
    category: 'audit',
    severity: 'critical',
    status: 413,
    message: 'The audit batch is too large.',
    hint: 'A batch body is at most 60 KiB and 500 events; the client splits larger queues into several batches.',
  },
  AUDIT_BUDGET_EXCEEDED: {
    category: 'audit',
    severity: 'critical',
    status: 403,
    message: 'Some viewing records were not accepted.',
    hint: 'The token vouched for as many events as a player records in its lifetime; nothing was stored.',
  },
  AUDIT_EVENT_TOO_LATE: {
    category: 'audit',
    severity: 'critical',
    status: 400,
    message: 'Some viewing records were not accepted.',
    hint: "Delivered after its token expired, with a `clientTime` outside the token's validity (± 5 min); nothing was stored.",
  },
  AUDIT_ADMIN_REQUIRED: {
    category: 'audit',
    severity: 'critical',
    status: 403,
    message: 'Only administrators of your organisation can read the audit trail.',
    hint: 'Reading the trail needs an access token whose `groups` include the service\'s admin group (`veil-admins` by default).',
  },
  AUDIT_DELIVERY_FAILED: {
    category: 'audit',
    severity: 'recoverable',
    message: 'Some viewing records could not be delivered.',
    hint: 'The audit ingest refused a batch (400/401/403/413); those events were dropped and are listed in `data.ids`. Network errors and 5xx are retried, never dropped.',
  },
  VIDEO_NOT_READY: {
    category: 'media',
    severity: 'recoverable',
    status: 409,
    message: 'This video is still being processed.',
    hint: 'A recording is playable once `GET /api/videos/:id` reports `status: "ready"`; <veil-player> shows `state="processing"` and loads by itself then.',
  },
  VIDEO_PROCESSING_FAILED: {
    category: 'media',
    severity: 'critical',
    status: 409,
    message: 'This recording could not be processed.',
    hint: 'The processing job failed; `GET /api/videos/:id` names the code (e.g. RECORDING_UNREADABLE). The upload is kept for a retry.',
  },
  UPLOAD_TOKEN_INVALID: {
    category: 'token',
    severity: 'recoverable',
    status: 401,
    message: 'The upload could not be authorised.',
    hint: 'HEAD, PATCH and DELETE on an upload need `Authorization: Bearer <upload token>` (from the creation response or `POST /api/uploads/:id/token`); it is missing, expired, or for another upload.',
  },
  UPLOAD_NOT_FOUND: {
    category: 'capture',
    severity: 'critical',
    status: 404,
    message: 'This upload does not exist or has expired.',
    hint: 'The upload id is unknown, belongs to another user, or expired (unfinished uploads expire after 7 days).',
  },
  UPLOAD_QUOTA_EXCEEDED: {
    category: 'capture',
    severity: 'critical',
    status: 413,
    message: 'You have used up your recording allowance (storage, recording time or uploads at once). Delete old recordings or ask your administrator for more.',
    hint: '`data.limit` names the quota: `bytes` (stored bytes per user), `concurrent` (unfinished uploads per user), `upload` (bytes per upload), `patch` (bytes per PATCH) or `duration` (seconds of processed recordings per user: refused at creation once used up, and a recording that would exceed it ends `failed` with this code, its upload kept for a retry).',
  },
  UPLOAD_OFFSET_MISMATCH: {
    category: 'network',
    severity: 'recoverable',
    status: 409,
    message: 'The upload is being realigned with the server.',
    hint: "The PATCH's `Upload-Offset` is not the server's offset: HEAD the upload and resend from the offset it reports.",
  },
  UPLOAD_CHECKSUM_MISMATCH: {
    category: 'network',
    severity: 'recoverable',
    status: 460,
    message: 'Part of the recording arrived damaged and is being sent again.',
    hint: 'The PATCH body does not match its `Upload-Checksum` (sha256, base64); the chunk was discarded and the offset did not move.',
  },
  // Recorder (issue 11): the whole recording's checksum.
  RECORDING_CHECKSUM_MISMATCH: {
    category: 'capture',
    severity: 'recoverable',
    status: 422,
    message: 'The uploaded recording did not match the one on this device; it is being sent again.',
    hint: 'The bytes the service holds do not hash to the `Veil-Recording-Checksum` (sha256 of the whole recording) of the final PATCH or HEAD; nothing was accepted. <veil-recorder> restarts the upload from its local chunks (`veil-upload-restarted`).',
  },
  UPLOAD_FAILED: {
    category: 'network',
    severity: 'recoverable',
    message: 'The recording could not be uploaded yet. It is kept on this device and will be sent later.',
    hint: 'The upload stopped on an error it cannot retry by itself (see `cause`); the chunks stay in IndexedDB and are sent on the next visit.',
  },
  RECORDING_UNREADABLE: {
    category: 'media',
    severity: 'critical',
    status: 422,
    message: 'The recording could not be read.',
    hint: 'The upload is empty, truncated, or not an MP4/WebM recording (checked by magic bytes and ffprobe with a forced demuxer).',
  },
  RECORDING_UNSUPPORTED: {
    category: 'media',
    severity: 'critical',
    status: 422,
    message: 'The recording uses a format the service does not accept.',
    hint: 'Accepted: one H.264, VP8 or VP9 video track up to 2160p and at most one Opus or AAC audio track; `data.reason` says which rule failed.',
  },
  RECORDING_TOO_LONG: {
    category: 'media',
    severity: 'critical',
    status: 422,
    message: 'The recording is longer than allowed.',
    hint: 'Recordings are at most `max-duration` (60 minutes by default) plus a small margin.',
  },
  RECORDING_PROCESSING_FAILED: {
    category: 'media',
    severity: 'critical',
    status: 500,
    message: 'The recording could not be processed.',
    hint: 'Transcoding or packaging failed (see the server log); the upload is kept for a retry.',
  },
  CAPTURE_PERMISSION_DENIED: {
    category: 'capture',
    severity: 'recoverable',
    message: 'Veil may not use your camera, microphone or screen.',
    hint: 'getUserMedia/getDisplayMedia was refused (NotAllowedError); the viewer can allow it in the browser and try again.',
  },
  CAPTURE_UNSUPPORTED: {
    category: 'capture',
    severity: 'critical',
    message: 'This browser cannot record video.',
    hint: 'MediaRecorder, IndexedDB, getUserMedia or getDisplayMedia is missing, or no recording format is supported.',
  },
  CAPTURE_QUOTA_EXCEEDED: {
    category: 'capture',
    severity: 'recoverable',
    message: 'There is not enough free space on this device to record safely.',
    hint: 'navigator.storage.estimate() leaves less than bitrate × max-duration; free space or lower `max-duration`.',
  },
  CAPTURE_FAILED: {
    category: 'capture',
    severity: 'recoverable',
    message: 'The recording stopped unexpectedly.',
    hint: 'The MediaRecorder or a captured track ended with an error; what was recorded until then is kept and uploaded.',
  },
  SHARE_NOT_ALLOWED: {
    category: 'share',
    severity: 'recoverable',
    status: 403,
    message: 'You cannot change who has access to this video.',
    hint: "Only the video's owner (and editors, where the org's sharing policy allows) may share it or search the directory for it; the service answers others' access-document requests with 404.",
  },
  SHARE_OUTSIDE_ORG: {
    category: 'share',
    severity: 'recoverable',
    status: 422,
    message: 'Videos can only be shared with people and groups of your organisation.',
    hint: "The principal is not a user or group of the video's organisation in the directory. There is no public or link principal: nobody outside the org can be given access.",
  },
  SHARE_POLICY_VIOLATION: {
    category: 'share',
    severity: 'recoverable',
    status: 422,
    message: "This change is not allowed by your organisation's sharing policy.",
    hint: "The change exceeds the org's sharing policy (general access `org` not allowed, or an expiry beyond the maximum); the access document's `limits` say what is allowed.",
  },
  SHARE_CONFLICT: {
    category: 'share',
    severity: 'recoverable',
    status: 412,
    message: "Someone else changed this video's access at the same time. Review the current access and try again.",
    hint: 'The `If-Match` ETag is not the access document\'s current one: reload it (GET) and apply the change again. Nothing of the refused batch was written.',
  },
  SHARE_PRECONDITION_REQUIRED: {
    category: 'share',
    severity: 'recoverable',
    status: 428,
    message: "The change could not be saved. Reload the video's access and try again.",
    hint: "A save of access changes needs `If-Match` with the access document's ETag (no blind overwrites).",
  },
  // Sharing policy administration (issue 12, second part).
  SHARING_POLICY_ADMIN_REQUIRED: {
    category: 'share',
    severity: 'recoverable',
    status: 403,
    message: "Only administrators of your organisation can change its sharing policy.",
    hint: "Changing the sharing policy needs an access token whose `groups` include the service's admin group (`veil-admins` by default); anyone in the org may read it.",
  },
  RATE_LIMITED: {
    category: 'network',
    severity: 'recoverable',
    status: 429,
    message: 'The video service is busy. Please wait a moment and try again.',
    hint: 'A rate limit was reached; retry after `Retry-After` seconds.',
  },
  CLIENT_BLOCKED: {
    category: 'network',
    severity: 'recoverable',
    status: 429,
    message: 'This device is blocked from the video service for a few minutes. Please try again later.',
    hint: 'Refused tokens, repeatedly: blocked for `Retry-After` seconds.',
  },
  ORIGIN_NOT_ALLOWED: {
    category: 'config',
    severity: 'critical',
    status: 403,
    message: 'This page is not allowed to use the video service.',
    hint: "Add the page's origin to the service's CORS allowlist.",
  },
  // LTI 1.3 (issue 13): login initiation refusals are 400, launch refusals 401; each rule its own code.
  LTI_LOGIN_PARAMETER_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 400,
    message: 'The course tool could not be started.',
    hint: 'A login initiation (`/lti/login`) lacks `iss`, `login_hint` or `target_link_uri`, or one of them is malformed or too long; the error names the parameter.',
  },
  LTI_PLATFORM_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 400,
    message: 'The course tool could not be started.',
    hint: 'No platform registration matches the login\'s `iss` (and `client_id` when sent): register the LMS first (README "LTI").',
  },
  LTI_TARGET_LINK_UNREGISTERED: {
    category: 'identity',
    severity: 'critical',
    status: 400,
    message: 'The course tool could not be started.',
    hint: "`target_link_uri` is not one of the tool's launch URLs; Veil never redirects to an unregistered target.",
  },
  LTI_DEPLOYMENT_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course tool is not set up for your course.',
    hint: 'The `deployment_id` (login `lti_deployment_id` or launch claim) is not registered for this platform; add it with its org.',
  },
  LTI_STATE_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch has expired or was already used. Reload the course page.',
    hint: "The launch's `state` was never issued by `/lti/login`, expired (5 min), or was already used: every state is single-use.",
  },
  LTI_STATE_UNBOUND: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be completed in this browser. Reload the course page.',
    hint: 'The launch came without the browser binding its login stored (platform storage, Partitioned cookie or partitioned localStorage), or with another: a launch replayed from another browser.',
  },
  LTI_ID_TOKEN_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The launch `form_post` has no `id_token` (or no `state`).',
  },
  LTI_ID_TOKEN_MALFORMED: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The `id_token` is not a compact JWS, is longer than the cap, or its claims are not a JSON object.',
  },
  LTI_JOSE_HEADER_REFUSED: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The `id_token` header names an algorithm the registration does not allow (RS256 by default; `none` and HS* never), lacks `kid`, or carries `jku`/`x5u`/`jwk`/`x5c`.',
  },
  LTI_SIGNATURE_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: "The `id_token` signature does not verify with the registration's key set (fetched again once for an unknown `kid`).",
  },
  LTI_ISSUER_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: "The `id_token`'s `iss` is not exactly the issuer the login started with.",
  },
  LTI_AUDIENCE_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: "The `id_token`'s `aud` does not contain the registration's client id, or `azp` (required when `aud` is an array) is not it.",
  },
  LTI_TOKEN_EXPIRED: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch has expired. Reload the course page.',
    hint: "The `id_token`'s `exp` is past (60 s leeway).",
  },
  LTI_TOKEN_TIME_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: "The `id_token`'s `iat` is missing, in the future (beyond 60 s) or older than 5 minutes, or `exp` is missing.",
  },
  LTI_NONCE_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: "The `id_token`'s `nonce` is not the one stored for this `state` (single-use, compared for equality).",
  },
  LTI_MESSAGE_TYPE_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The `message_type` claim is not `LtiResourceLinkRequest` (or `LtiDeepLinkingRequest` where deep linking is offered).',
  },
  LTI_VERSION_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The `version` claim is not `1.3.0`.',
  },
  LTI_TARGET_LINK_MISMATCH: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The `target_link_uri` claim is missing or is not the target the login was started for.',
  },
  LTI_RESOURCE_LINK_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'A resource-link launch needs `resource_link.id` (a string of at most 255 characters).',
  },
  LTI_SUBJECT_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'Sign in to your course to watch this video.',
    hint: 'The launch has no `sub` (an anonymous launch): protected video needs a known learner.',
  },
  LTI_ROLES_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'The `roles` claim is missing or not an array of strings.',
  },
  LTI_CONTEXT_MISSING: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This video can only be watched from a course.',
    hint: 'The launch has no `context.id`: Veil grants videos to a course context, never to a whole platform.',
  },
  LTI_CLAIM_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This course launch could not be verified. Reload the course page.',
    hint: 'A claim Veil reads has the wrong type or is longer than its cap (ids 255, names 200, 100 roles); the error names it.',
  },
  LTI_SESSION_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'Your course session has ended. Reload the course page.',
    hint: 'The LTI session token is missing, expired beyond its renewal grace, or fails signature, issuer, audience or type checks.',
  },
  // LTI Deep Linking 2.0 (issue 13): the picker an instructor's `LtiDeepLinkingRequest` opens.
  LTI_DEEP_LINK_SETTINGS_INVALID: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'Videos cannot be added to this course from here.',
    hint: 'The deep-linking request\'s `deep_linking_settings` is missing, its `deep_link_return_url` is not an http(s) URL (≤ 2048 characters), `accept_types` lacks `ltiResourceLink`, or `data` is not a string (≤ 2048); the error names it.',
  },
  LTI_DEEP_LINK_ROLE_REFUSED: {
    category: 'identity',
    severity: 'critical',
    status: 403,
    message: 'Only the course\'s teachers can add videos to it.',
    hint: 'A deep-linking request needs a context role Instructor, TeachingAssistant, ContentDeveloper or Administrator (short names accepted); Learner, Mentor and institution roles cannot pick.',
  },
  LTI_INSTRUCTOR_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 403,
    message: 'Your course account is not linked to a video account. Ask your administrator.',
    hint: "The deep-linking request's `email` claim is missing or matches no directory user of the deployment's org: the picker shows a directory user's videos (docs/lti.md \"Deep Linking\").",
  },
  LTI_DEEP_LINK_UNKNOWN: {
    category: 'identity',
    severity: 'critical',
    status: 401,
    message: 'This choice has expired or was already made. Start adding the video again from the course.',
    hint: 'The picker\'s `deep_link` value was never issued, expired (15 min), or was already used: each deep-linking return is single-use.',
  },
  LTI_DEEP_LINK_VIDEO_REFUSED: {
    category: 'share',
    severity: 'critical',
    status: 403,
    message: 'You cannot add this video to a course.',
    hint: 'The chosen video is unknown, not ready, or not one the instructor may share (owner, or editor where the org lets editors share).',
  },
  // Entra ID sign-in and SCIM provisioning (issue 14).
  ENTRA_GUEST_NOT_ALLOWED: {
    category: 'perimeter',
    severity: 'critical',
    status: 403,
    message: 'Guest accounts cannot watch this video. Sign in with an account of the organisation.',
    hint: 'The Entra verifier runs members-only and the token has `acct` 1 (a guest) or no `acct` claim: add the `acct` optional claim to the API registration.',
  },
  ENTRA_GROUPS_OVERAGE: {
    category: 'identity',
    severity: 'critical',
    status: 403,
    message: 'Your account is in too many groups to be checked. Ask your administrator for help.',
    hint: "Entra omitted the `groups` claim (more than 200 groups: `_claim_names`). Connect Entra provisioning to Veil's SCIM endpoint and pass the directory as `resolveGroups`, or emit only the groups assigned to the app.",
  },
  ACCOUNT_DEPROVISIONED: {
    category: 'perimeter',
    severity: 'critical',
    status: 403,
    message: 'Your account has been deactivated. Ask your administrator for help.',
    hint: "The organisation's directory (SCIM provisioning) marks this user inactive or deleted: no new playback session or renewal.",
  },
  SCIM_UNAUTHORIZED: {
    category: 'config',
    severity: 'critical',
    status: 401,
    message: 'The provisioning request was not authorised.',
    hint: "Send the org's SCIM secret as `Authorization: Bearer …` (Entra: \"Secret Token\" in the provisioning settings); a rotated-out secret stops working when its grace period ends.",
  },
  // Recordings in two presentations (issue 11: CENC DASH and AES-128 HLS).
  VIDEO_PROTOCOL_UNSUPPORTED: {
    category: 'media',
    severity: 'critical',
    status: 406,
    message: 'This browser cannot play this video.',
    hint: 'The playback-session request listed `protocols` the video has no presentation in; omit `protocols` to get its primary one.',
  },
} as const satisfies Record<string, CodeInfo>;

export type VeilErrorCode = keyof typeof ERROR_CODES;

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
  readonly hint: string;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: VeilErrorCode, options: VeilErrorOptions = {}) {
    const info: CodeInfo = ERROR_CODES[code];
    super(options.message ?? info.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.category = info.category;
    this.severity = info.severity;
    this.hint = info.hint;
    this.data = Object.freeze({ ...options.data });
  }

  /** The HTTP status the reference server uses for this code. */
  get status(): number {
    return (ERROR_CODES[this.code] as CodeInfo).status ?? 500;
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
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
