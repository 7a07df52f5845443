/**
 * What the integrator can do about each error code: the other half of the catalogue in
 * `errors.ts` (exactly its codes; the compiler checks both ways). Kept in its own module so the
 * elements' bundles can leave it out: a viewer is told `message`, never the hint. Loading this
 * module makes every `VeilError`'s `hint` the one below; the server and the `veil-video` root
 * entry load it, and `ERROR_CODES` is the whole catalogue, hint included.
 */
import { ERROR_INFO, useErrorHints, type VeilErrorCode } from './errors.js';

export const ERROR_HINTS = {
  CONFIG_INVALID: 'A required attribute or option is missing or malformed; the error data names it.',
  SIGN_IN_REQUIRED: 'No signed-in viewer. Call session.signIn() or set `auto-sign-in` on <veil-session>.',
  SIGN_IN_FAILED: 'The identity provider returned an error or the callback could not be processed; see `cause`.',
  ACCESS_TOKEN_INVALID: 'The access token is missing, expired, or fails issuer/audience/type/signature checks.',
  PERIMETER_DENIED: "The viewer's verified claims (issuer, org, groups, email domain) are outside the perimeter.",
  VIDEO_NOT_FOUND: 'Check the `video` attribute against the video ids your service knows.',
  PLAYBACK_NOT_GRANTED: 'The viewer is inside the perimeter but neither the video audience nor a grant includes them.',
  PLAYBACK_TOKEN_MISSING: 'Media, key and license requests need `Authorization: Bearer <playback token>`.',
  PLAYBACK_TOKEN_INVALID: 'The playback token failed signature, algorithm, issuer or audience checks.',
  PLAYBACK_TOKEN_EXPIRED: 'The playback token is past `exp`; the player renews it before expiry.',
  PLAYBACK_TOKEN_WRONG_VIDEO: "The playback token's `vid` does not match the requested video.",
  PLAYBACK_SESSION_FAILED: 'The playback-session request failed; see `data.status` and `cause`.',
  NETWORK_ERROR: 'A request failed before a response arrived (offline, DNS, CORS, or TLS).',
  MEDIA_UNSUPPORTED: 'Media Source Extensions or the stream codecs are not available in this browser.',
  MEDIA_LOAD_FAILED: 'The manifest or a segment failed to load or parse; see `cause` for the engine error.',
  MEDIA_DECODE_FAILED: 'The media element reported a decode error; see `cause`.',
  DRM_UNSUPPORTED: 'None of the key systems offered by the playback session is available (EME).',
  DRM_LICENSE_REQUEST_FAILED: 'The license or key request failed; see `data.status` and `cause`.',
  WATERMARK_TAMPERED: 'Something on the page removed, restyled, moved or covered the watermark overlay (`data.vectors` says how). Hosts may restyle `::part(watermark)` (font, colour, shadow, more opacity) but not hide, clip, transform, move or cover it; the player plays again once it is intact.',
  SERVER_ERROR: 'An unexpected server-side error; the server log has details.',
  NOT_FOUND: 'Check the URL against the service routes documented in the README.',
  BAD_REQUEST: 'The request body or parameters are malformed; the error message names the field.',
  METHOD_NOT_ALLOWED: 'The route does not take this method; see `Allow`.',
  REQUEST_TOO_LARGE: 'The body is over the route\'s limit; the message says it.',
  REQUEST_TIMEOUT: 'The body did not arrive within the body timeout.',
  AUDIT_BATCH_INVALID: 'The batch does not match the audit event schema (README "Audit trail"); nothing of it was stored. The message names the field.',
  AUDIT_BATCH_TOO_LARGE: 'A batch body is at most 60 KiB and 500 events; the client splits larger queues into several batches.',
  AUDIT_BUDGET_EXCEEDED: 'The token vouched for as many events as a player records in its lifetime; nothing was stored.',
  AUDIT_EVENT_TOO_LATE: "Delivered after its token expired, with a `clientTime` outside the token's validity (± 5 min); nothing was stored.",
  AUDIT_ADMIN_REQUIRED: 'Reading the trail needs an access token whose `groups` include the service\'s admin group (`veil-admins` by default).',
  AUDIT_DELIVERY_FAILED: 'The audit ingest refused a batch (400/401/403/413); those events were dropped and are listed in `data.ids`. Network errors and 5xx are retried, never dropped.',
  VIDEO_NOT_READY: 'A recording is playable once `GET /api/videos/:id` reports `status: "ready"`; <veil-player> shows `state="processing"` and loads by itself then.',
  VIDEO_PROCESSING_FAILED: 'The processing job failed; `GET /api/videos/:id` names the code (e.g. RECORDING_UNREADABLE). The upload is kept for a retry.',
  UPLOAD_TOKEN_INVALID: 'HEAD, PATCH and DELETE on an upload need `Authorization: Bearer <upload token>` (from the creation response or `POST /api/uploads/:id/token`); it is missing, expired, or for another upload.',
  UPLOAD_NOT_FOUND: 'The upload id is unknown, belongs to another user, or expired (unfinished uploads expire after 7 days).',
  UPLOAD_QUOTA_EXCEEDED: '`data.limit` names the quota: `bytes` (stored bytes per user), `concurrent` (unfinished uploads per user), `upload` (bytes per upload), `patch` (bytes per PATCH) or `duration` (seconds of processed recordings per user: refused at creation once used up, and a recording that would exceed it ends `failed` with this code, its upload kept for a retry).',
  UPLOAD_OFFSET_MISMATCH: "The PATCH's `Upload-Offset` is not the server's offset: HEAD the upload and resend from the offset it reports.",
  UPLOAD_CHECKSUM_MISMATCH: 'The PATCH body does not match its `Upload-Checksum` (sha256, base64); the chunk was discarded and the offset did not move.',
  // Recorder (issue 11): the whole recording's checksum.
  RECORDING_CHECKSUM_MISMATCH: 'The bytes the service holds do not hash to the `Veil-Recording-Checksum` (sha256 of the whole recording) of the final PATCH or HEAD; nothing was accepted. <veil-recorder> restarts the upload from its local chunks (`veil-upload-restarted`).',
  UPLOAD_FAILED: 'The upload stopped on an error it cannot retry by itself (see `cause`); the chunks stay in IndexedDB and are sent on the next visit.',
  RECORDING_UNREADABLE: 'The upload is empty, truncated, or not an MP4/WebM recording (checked by magic bytes and ffprobe with a forced demuxer).',
  RECORDING_UNSUPPORTED: 'Accepted: one H.264, VP8 or VP9 video track up to 2160p and at most one Opus or AAC audio track; `data.reason` says which rule failed.',
  RECORDING_TOO_LONG: 'Recordings are at most `max-duration` (60 minutes by default) plus a small margin.',
  RECORDING_PROCESSING_FAILED: 'Transcoding or packaging failed (see the server log); the upload is kept for a retry.',
  CAPTURE_PERMISSION_DENIED: 'getUserMedia/getDisplayMedia was refused (NotAllowedError); the viewer can allow it in the browser and try again.',
  CAPTURE_UNSUPPORTED: 'MediaRecorder, IndexedDB, getUserMedia or getDisplayMedia is missing, or no recording format is supported.',
  CAPTURE_QUOTA_EXCEEDED: 'navigator.storage.estimate() leaves less than bitrate × max-duration; free space or lower `max-duration`.',
  CAPTURE_FAILED: 'The MediaRecorder or a captured track ended with an error; what was recorded until then is kept and uploaded.',
  SHARE_NOT_ALLOWED: "Only the video's owner (and editors, where the org's sharing policy allows) may share it or search the directory for it; the service answers others' access-document requests with 404.",
  SHARE_OUTSIDE_ORG: "The principal is not a user or group of the video's organisation in the directory. There is no public or link principal: nobody outside the org can be given access.",
  SHARE_POLICY_VIOLATION: "The change exceeds the org's sharing policy (general access `org` not allowed, or an expiry beyond the maximum); the access document's `limits` say what is allowed.",
  SHARE_CONFLICT: 'The `If-Match` ETag is not the access document\'s current one: reload it (GET) and apply the change again. Nothing of the refused batch was written.',
  SHARE_PRECONDITION_REQUIRED: "A save of access changes needs `If-Match` with the access document's ETag (no blind overwrites).",
  // Sharing policy administration (issue 12, second part).
  SHARING_POLICY_ADMIN_REQUIRED: "Changing the sharing policy needs an access token whose `groups` include the service's admin group (`veil-admins` by default); anyone in the org may read it.",
  RATE_LIMITED: 'A rate limit was reached; retry after `Retry-After` seconds.',
  CLIENT_BLOCKED: 'Refused tokens, repeatedly: blocked for `Retry-After` seconds.',
  ORIGIN_NOT_ALLOWED: "Add the page's origin to the service's CORS allowlist.",
  // LTI 1.3 (issue 13): login initiation refusals are 400, launch refusals 401; each rule its own code.
  LTI_LOGIN_PARAMETER_MISSING: 'A login initiation (`/lti/login`) lacks `iss`, `login_hint` or `target_link_uri`, or one of them is malformed or too long; the error names the parameter.',
  LTI_PLATFORM_UNKNOWN: 'No platform registration matches the login\'s `iss` (and `client_id` when sent): register the LMS first (README "LTI").',
  LTI_TARGET_LINK_UNREGISTERED: "`target_link_uri` is not one of the tool's launch URLs; Veil never redirects to an unregistered target.",
  LTI_DEPLOYMENT_UNKNOWN: 'The `deployment_id` (login `lti_deployment_id` or launch claim) is not registered for this platform; add it with its org.',
  LTI_STATE_UNKNOWN: "The launch's `state` was never issued by `/lti/login`, expired (5 min), or was already used: every state is single-use.",
  LTI_STATE_UNBOUND: 'The launch came without the browser binding its login stored (platform storage, Partitioned cookie or partitioned localStorage), or with another: a launch replayed from another browser.',
  LTI_ID_TOKEN_MISSING: 'The launch `form_post` has no `id_token` (or no `state`).',
  LTI_ID_TOKEN_MALFORMED: 'The `id_token` is not a compact JWS, is longer than the cap, or its claims are not a JSON object.',
  LTI_JOSE_HEADER_REFUSED: 'The `id_token` header names an algorithm the registration does not allow (RS256 by default; `none` and HS* never), lacks `kid`, or carries `jku`/`x5u`/`jwk`/`x5c`.',
  LTI_SIGNATURE_INVALID: "The `id_token` signature does not verify with the registration's key set (fetched again once for an unknown `kid`).",
  LTI_ISSUER_MISMATCH: "The `id_token`'s `iss` is not exactly the issuer the login started with.",
  LTI_AUDIENCE_MISMATCH: "The `id_token`'s `aud` does not contain the registration's client id, or `azp` (required when `aud` is an array) is not it.",
  LTI_TOKEN_EXPIRED: "The `id_token`'s `exp` is past (60 s leeway).",
  LTI_TOKEN_TIME_INVALID: "The `id_token`'s `iat` is missing, in the future (beyond 60 s) or older than 5 minutes, or `exp` is missing.",
  LTI_NONCE_MISMATCH: "The `id_token`'s `nonce` is not the one stored for this `state` (single-use, compared for equality).",
  LTI_MESSAGE_TYPE_INVALID: 'The `message_type` claim is not `LtiResourceLinkRequest` (or `LtiDeepLinkingRequest` where deep linking is offered).',
  LTI_VERSION_INVALID: 'The `version` claim is not `1.3.0`.',
  LTI_TARGET_LINK_MISMATCH: 'The `target_link_uri` claim is missing or is not the target the login was started for.',
  LTI_RESOURCE_LINK_MISSING: 'A resource-link launch needs `resource_link.id` (a string of at most 255 characters).',
  LTI_SUBJECT_MISSING: 'The launch has no `sub` (an anonymous launch): protected video needs a known learner.',
  LTI_ROLES_INVALID: 'The `roles` claim is missing or not an array of strings.',
  LTI_CONTEXT_MISSING: 'The launch has no `context.id`: Veil grants videos to a course context, never to a whole platform.',
  LTI_CLAIM_INVALID: 'A claim Veil reads has the wrong type or is longer than its cap (ids 255, names 200, 100 roles); the error names it.',
  LTI_SESSION_INVALID: 'The LTI session token is missing, expired beyond its renewal grace, or fails signature, issuer, audience or type checks.',
  // LTI Deep Linking 2.0 (issue 13): the picker an instructor's `LtiDeepLinkingRequest` opens.
  LTI_DEEP_LINK_SETTINGS_INVALID: 'The deep-linking request\'s `deep_linking_settings` is missing, its `deep_link_return_url` is not an http(s) URL (≤ 2048 characters), `accept_types` lacks `ltiResourceLink`, or `data` is not a string (≤ 2048); the error names it.',
  LTI_DEEP_LINK_ROLE_REFUSED: 'A deep-linking request needs a context role Instructor, TeachingAssistant, ContentDeveloper or Administrator (short names accepted); Learner, Mentor and institution roles cannot pick.',
  LTI_INSTRUCTOR_UNKNOWN: "The deep-linking request's `email` claim is missing or matches no directory user of the deployment's org: the picker shows a directory user's videos (docs/lti.md \"Deep Linking\").",
  LTI_DEEP_LINK_UNKNOWN: 'The picker\'s `deep_link` value was never issued, expired (15 min), or was already used: each deep-linking return is single-use.',
  LTI_DEEP_LINK_VIDEO_REFUSED: 'The chosen video is unknown, not ready, or not one the instructor may share (owner, or editor where the org lets editors share).',
  // Entra ID sign-in and SCIM provisioning (issue 14).
  ENTRA_GUEST_NOT_ALLOWED: 'The Entra verifier runs members-only and the token has `acct` 1 (a guest) or no `acct` claim: add the `acct` optional claim to the API registration.',
  ENTRA_GROUPS_OVERAGE: "Entra omitted the `groups` claim (more than 200 groups: `_claim_names`). Connect Entra provisioning to Veil's SCIM endpoint and pass the directory as `resolveGroups`, or emit only the groups assigned to the app.",
  ACCOUNT_DEPROVISIONED: "The organisation's directory (SCIM provisioning) marks this user inactive or deleted: no new playback session or renewal.",
  SCIM_UNAUTHORIZED: "Send the org's SCIM secret as `Authorization: Bearer …` (Entra: \"Secret Token\" in the provisioning settings); a rotated-out secret stops working when its grace period ends.",
  // Recordings in two presentations (issue 11: CENC DASH and AES-128 HLS).
  VIDEO_PROTOCOL_UNSUPPORTED: 'The playback-session request listed `protocols` the video has no presentation in; omit `protocols` to get its primary one.',
} as const satisfies Record<VeilErrorCode, string>;

useErrorHints(ERROR_HINTS);

/** Every code's category, severity, HTTP status, viewer message and integrator hint. */
export type ErrorCatalogue = { readonly [K in VeilErrorCode]: (typeof ERROR_INFO)[K] & { readonly hint: (typeof ERROR_HINTS)[K] } };

/** The error-code catalogue, as documented in the README's "Errors" table. */
export const ERROR_CODES = Object.fromEntries(
  Object.entries(ERROR_INFO).map(([code, info]) => [code, { ...info, hint: ERROR_HINTS[code as VeilErrorCode] }]),
) as ErrorCatalogue;
