/**
 * `/api/uploads/` — recordings arrive over tus 1.0. Creation (POST) takes the viewer's access
 * token, which must pass the perimeter, and answers with the video id and a short-lived upload
 * token; HEAD, PATCH and DELETE take that upload token, and another user's upload is a 404.
 * Every PATCH carries a sha256 `Upload-Checksum` checked before the store sees a byte (460 on a
 * mismatch); quotas answer 413. tus's own plain-text errors leave as Veil's JSON errors, with the
 * tus headers kept.
 */
import { VeilError, type VeilErrorCode } from '../../protocol/errors.js';
import {
  CHECKSUM_MISMATCH_STATUS,
  MAX_PATCH_BYTES,
  RECORDING_CHECKSUM_HEADER,
  TUS_VERSION,
  UPLOAD_TOKEN_EXPIRES_HEADER,
  UPLOAD_TOKEN_HEADER,
  VIDEO_ID_HEADER,
  type UploadTokenDocument,
} from '../../protocol/recording.js';
import type { Viewer } from '../../protocol/viewer.js';
import { API_ROUTES } from '../../protocol/paths.js';
import type { AccessTokenVerifier, RouteDefinition } from '../context.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import { bearerToken, errorResponse, fail, jsonResponse, readJsonBody } from '../http.js';
import { readBodyBytes } from '../http/body.js';
import type { RecordingRepository, UploadRecord } from '../storage/recordings.js';
import { checksumMatches, expectedChecksum, recordingMatches } from '../uploads/checksum.js';
import { checkAppend, checkCreation, quotaExceeded, type UploadQuota } from '../uploads/quota.js';
import type { TusUploads } from '../uploads/tus.js';
import type { UploadTokenService } from '../uploads/upload-token.js';

export interface UploadRouteDeps {
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: (viewer: Viewer) => void;
  uploadTokens: UploadTokenService;
  tus: TusUploads;
  recordings: RecordingRepository;
  /** Removes an unfinished upload's record and the `processing` video it would have become. */
  discardUpload(uploadId: string): Promise<void>;
  quota: UploadQuota;
  audit: ServerAuditLog;
}

/** tus status codes → the Veil code its error leaves with. */
function tusErrorCode(status: number): VeilErrorCode {
  if (status === 404 || status === 410) return 'UPLOAD_NOT_FOUND';
  if (status === 409) return 'UPLOAD_OFFSET_MISMATCH';
  if (status === 413) return 'UPLOAD_QUOTA_EXCEEDED';
  if (status === 401) return 'UPLOAD_TOKEN_INVALID';
  if (status >= 500) return 'SERVER_ERROR';
  return 'BAD_REQUEST';
}

/** A Veil error answer that is still a tus answer (`Tus-Resumable`, and tus's own headers). */
function tusError(error: VeilError, tusHeaders?: Headers, status = error.status): Response {
  const response = errorResponse(error, { status });
  tusHeaders?.forEach((value, name) => {
    if (name !== 'content-type' && name !== 'content-length') response.headers.set(name, value);
  });
  response.headers.set('Tus-Resumable', TUS_VERSION);
  return response;
}

async function asVeilResponse(response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const text = (await response.text()).trim();
  const code = tusErrorCode(response.status);
  return tusError(new VeilError(code, { message: text || undefined }), response.headers, code === 'BAD_REQUEST' ? 400 : response.status);
}

async function withUploadToken(response: Response, deps: UploadRouteDeps, viewer: Viewer, uploadId: string): Promise<Response> {
  const { token, expiresAt } = await deps.uploadTokens.sign({ sub: viewer.sub, org: viewer.org ?? '', upl: uploadId });
  response.headers.set(UPLOAD_TOKEN_HEADER, token);
  response.headers.set(UPLOAD_TOKEN_EXPIRES_HEADER, String(expiresAt));
  response.headers.set(VIDEO_ID_HEADER, uploadId);
  return response;
}

function uploadIdFromLocation(response: Response): string | undefined {
  const location = response.headers.get('location');
  return location ? decodeURIComponent(location.slice(location.lastIndexOf('/') + 1)) : undefined;
}

/** `POST /api/uploads` — tus creation, for a viewer inside the perimeter and inside quota. */
async function createUpload(request: Request, deps: UploadRouteDeps): Promise<Response> {
  const viewer = await deps.verifyAccessToken(bearerToken(request));
  deps.checkPerimeter(viewer);
  const declared = request.headers.get('upload-length');
  if (declared === null && request.headers.get('upload-defer-length') !== '1') {
    fail('BAD_REQUEST', 'Send Upload-Length, or Upload-Defer-Length: 1 while recording.');
  }
  checkCreation(deps.quota, await deps.recordings.usage(viewer.sub), declared === null ? undefined : Number(declared));
  if (Number(request.headers.get('content-length') ?? 0) > 0 || request.headers.get('content-type') === 'application/offset+octet-stream') {
    fail('BAD_REQUEST', 'Send the first bytes with a checksummed PATCH: creation-with-upload is not offered.');
  }
  const response = await asVeilResponse(await deps.tus.handle(request, viewer));
  const uploadId = response.status === 201 ? uploadIdFromLocation(response) : undefined;
  return uploadId ? withUploadToken(response, deps, viewer, uploadId) : response;
}

/**
 * `POST /api/uploads/:uploadId/token` — a fresh upload token, with the access token. A body
 * `{ "recovered": true }` says the recorder is resuming after a reload or crash (audited).
 */
async function renewUploadToken(request: Request, deps: UploadRouteDeps, uploadId: string): Promise<Response> {
  const viewer = await deps.verifyAccessToken(bearerToken(request));
  deps.checkPerimeter(viewer);
  const upload = await deps.recordings.getUpload(uploadId);
  if (!upload || upload.owner !== viewer.sub) fail('UPLOAD_NOT_FOUND', undefined, { uploadId });
  const json = request.headers.get('content-type')?.startsWith('application/json');
  const { recovered } = ((json ? await readJsonBody(request, 1024, 'upload-token request') : null) ?? {}) as { recovered?: unknown };
  if (recovered === true) {
    await deps.audit([{ type: 'recording-recovered', actor: viewer.sub, org: upload.org, video: uploadId, data: { uploadId, offset: upload.received } }]);
  }
  const body: UploadTokenDocument = await deps.uploadTokens.sign({ sub: viewer.sub, org: viewer.org ?? '', upl: uploadId });
  return jsonResponse(body, { status: 201 });
}

/** The upload behind a HEAD/PATCH/DELETE, if the bearer's upload token is for it and its owner's. */
async function ownUpload(request: Request, deps: UploadRouteDeps, uploadId: string): Promise<UploadRecord> {
  const claims = await deps.uploadTokens.verify(bearerToken(request));
  const upload = claims.upl === uploadId ? await deps.recordings.getUpload(uploadId) : undefined;
  // Someone else's upload (or one this token is not for) looks exactly like one that does not exist.
  if (!upload || upload.owner !== claims.sub) throw new VeilError('UPLOAD_NOT_FOUND', { data: { uploadId } });
  return upload;
}

/** HEAD, PATCH and DELETE on one upload. */
async function handleUpload(request: Request, deps: UploadRouteDeps, uploadId: string): Promise<Response> {
  try {
    const upload = await ownUpload(request, deps, uploadId);
    if (request.method === 'PATCH') return await patchUpload(request, deps, upload);
    const response = await asVeilResponse(await deps.tus.handle(request));
    if (request.method === 'DELETE' && response.status === 204) await deps.discardUpload(uploadId);
    if (request.method === 'HEAD' && response.ok) return (await acceptIfComplete(request, response, deps, upload)) ?? response;
    return response;
  } catch (error) {
    if (error instanceof VeilError) return tusError(error);
    throw error;
  }
}

/**
 * A HEAD that finds every byte stored but the upload not accepted (the final PATCH's answer was
 * lost, or accepting it failed) accepts it now, so the client's realignment completes the upload
 * — unless the stored bytes do not hash to the recording's checksum the HEAD carries: then it
 * answers `RECORDING_CHECKSUM_MISMATCH` and accepts nothing.
 */
async function acceptIfComplete(request: Request, response: Response, deps: UploadRouteDeps, upload: UploadRecord): Promise<Response | undefined> {
  const offset = Number(response.headers.get('upload-offset'));
  const length = Number(response.headers.get('upload-length') ?? Number.NaN);
  if (upload.finishedAt !== null || !Number.isFinite(length) || offset !== length) return undefined;
  const mismatch = await recordingMismatch(request, deps, upload, offset, new Uint8Array(0));
  if (mismatch) return tusError(mismatch, response.headers);
  await deps.recordings.finishUpload(upload.id, length);
  return undefined;
}

/** `RECORDING_CHECKSUM_MISMATCH` when the request carries the whole recording's digest and the stored bytes plus `body` do not match it. */
async function recordingMismatch(request: Request, deps: UploadRouteDeps, upload: UploadRecord, stored: number, body: Uint8Array): Promise<VeilError | undefined> {
  const header = request.headers.get(RECORDING_CHECKSUM_HEADER);
  if (header === null) return undefined;
  const matches = await recordingMatches(deps.tus, upload.id, stored, body, expectedChecksum(header, RECORDING_CHECKSUM_HEADER));
  return matches === false ? new VeilError('RECORDING_CHECKSUM_MISMATCH', { data: { uploadId: upload.id } }) : undefined;
}

async function patchUpload(request: Request, deps: UploadRouteDeps, upload: UploadRecord): Promise<Response> {
  const body = await readBodyBytes(request, MAX_PATCH_BYTES);
  if (!body) throw quotaExceeded('patch', MAX_PATCH_BYTES);
  // An empty PATCH (the final length after the last chunk already went) has nothing to check.
  if (body.byteLength > 0 && !checksumMatches(body, expectedChecksum(request.headers.get('upload-checksum')))) {
    return tusError(new VeilError('UPLOAD_CHECKSUM_MISMATCH', { data: { uploadId: upload.id } }), undefined, CHECKSUM_MISMATCH_STATUS);
  }
  const offset = Number(request.headers.get('upload-offset'));
  if (Number.isFinite(offset)) checkAppend(deps.quota, await deps.recordings.usage(upload.owner), offset, body.byteLength);
  // The PATCH that completes the recording: the whole recording's digest, before tus accepts it.
  if (Number.isFinite(offset) && Number(request.headers.get('upload-length')) === offset + body.byteLength) {
    const mismatch = await recordingMismatch(request, deps, upload, offset, body);
    if (mismatch) return tusError(mismatch);
  }
  const verified = new Request(request.url, { method: 'PATCH', headers: request.headers, body: body as Uint8Array<ArrayBuffer> });
  const response = await asVeilResponse(await deps.tus.handle(verified));
  const newOffset = Number(response.headers.get('upload-offset'));
  if (response.status === 204 && Number.isFinite(newOffset) && upload.finishedAt === null) {
    const current = await deps.recordings.getUpload(upload.id);
    if (current && current.finishedAt === null) await deps.recordings.setReceived(upload.id, newOffset);
  }
  return response;
}

/** tus request headers a cross-origin recorder sends, and response headers it reads. */
const TUS_REQUEST_HEADERS = ['tus-resumable', 'upload-length', 'upload-defer-length', 'upload-offset', 'upload-metadata', 'upload-checksum', RECORDING_CHECKSUM_HEADER.toLowerCase()];
const TUS_EXPOSED_HEADERS = ['location', 'tus-resumable', 'upload-offset', 'upload-length', 'upload-defer-length', 'upload-expires', UPLOAD_TOKEN_HEADER, UPLOAD_TOKEN_EXPIRES_HEADER, VIDEO_ID_HEADER];

export function uploadRoutes(deps: UploadRouteDeps): RouteDefinition[] {
  const tus = { requestHeaders: TUS_REQUEST_HEADERS, exposedHeaders: TUS_EXPOSED_HEADERS };
  const one = ({ request, params }: { request: Request; params: Readonly<Record<string, string>> }) => handleUpload(request, deps, params.uploadId!);
  return [
    { path: API_ROUTES.uploads, method: 'POST', ...tus, handle: ({ request }) => createUpload(request, deps) },
    { path: API_ROUTES.uploadToken, method: 'POST', handle: ({ request, params }) => renewUploadToken(request, deps, params.uploadId!) },
    { path: API_ROUTES.upload, method: 'HEAD', ...tus, handle: one },
    { path: API_ROUTES.upload, method: 'PATCH', ...tus, handle: one },
    { path: API_ROUTES.upload, method: 'DELETE', ...tus, handle: one },
  ];
}
