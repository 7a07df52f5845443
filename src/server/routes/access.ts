/**
 * Sharing, for whoever may share a video (its owner; editors where the policy allows):
 * `GET /api/videos/:videoId/access` — the access document, with an `ETag`;
 * `POST /api/videos/:videoId/access` — one batch of changes with `If-Match`, saved whole or not
 *   at all (412 when someone saved in between; 428 without `If-Match`);
 * `POST /api/directory/search {videoId, query}` — people and groups of the video's org to share
 *   with (POST keeps names out of URLs and logs), rate-limited per user (group `directory-search`).
 * Pending access requests are listed in the document and answered in a batch (`approve`, `deny`).
 * A caller outside the perimeter gets `PERIMETER_DENIED` before anything is looked up; one who
 * cannot watch the video gets 404 exactly as for a missing video; one who can watch but not share
 * gets 404 for the document and `SHARE_NOT_ALLOWED` for changes and search.
 */
import type * as v from 'valibot';
import { VeilError } from '../../protocol/errors.js';
import { API_ROUTES } from '../../protocol/paths.js';
import {
  AccessChangeBatchSchema,
  DIRECTORY_MAX_RESULTS,
  DirectorySearchRequestSchema,
  type AccessChange,
  type AccessDocument,
  type DirectoryEntry,
  type Principal,
} from '../../protocol/sharing.js';
import type { Viewer } from '../../protocol/viewer.js';
import { assertInsidePerimeter, type Authorizer, type Verdict } from '../access/authorizer.js';
import type { Directory } from '../access/directory.js';
import { DAY_MS, type Grant, type SharingPolicy } from '../access/model.js';
import { parseWith, VIDEO_ID_PATTERN } from '../../protocol/schemas.js';
import type { ServerAuditEvent, ServerAuditLog } from '../audit/server-events.js';
import type { AccessTokenVerifier, RouteDefinition } from '../context.js';
import { bearerToken, readJsonBody } from '../http/body.js';
import { fail, jsonResponse } from '../http/json.js';
import type { Guard } from '../limits/guard.js';
import type { AccessUpdate, GrantRepository, VideoAccess } from '../storage/grants.js';
import type { VideoRecord, VideoRepository } from '../storage/videos.js';

const MAX_BATCH_BYTES = 16 * 1024;
const MAX_SEARCH_BYTES = 1024;

export interface AccessRouteDeps {
  verifyAccessToken: AccessTokenVerifier;
  videos: Pick<VideoRepository, 'get'>;
  grants: GrantRepository;
  authorizer: Authorizer;
  directory: Directory;
  audit: ServerAuditLog;
  /** Per-viewer allowances: group `admin` for every sharing route, `directory-search` besides for search. */
  guard: Pick<Guard, 'viewer'>;
}

/** The ETag of one version of a video's access (strong: the document is the version's). */
export function accessEtag(version: number): string {
  return `"access-${version}"`;
}

function parse<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const parsed = parseWith(schema, body);
  if (!parsed.ok) fail('BAD_REQUEST', `The request body is not valid: ${parsed.message}.`);
  return parsed.value;
}

/** The verified viewer of a sharing route, refused before anything is looked up when outside the perimeter. */
export async function sharingCaller(deps: Pick<AccessRouteDeps, 'verifyAccessToken' | 'authorizer' | 'guard'>, request: Request): Promise<Viewer> {
  const viewer = await deps.verifyAccessToken(bearerToken(request));
  await deps.guard.viewer(`${viewer.issuer} ${viewer.sub}`, 'admin');
  assertInsidePerimeter(await deps.authorizer.subject({ viewer }));
  return viewer;
}

export function accessRoutes(deps: AccessRouteDeps): RouteDefinition[] {
  const caller = (request: Request) => sharingCaller(deps, request);

  /**
   * The video and the verdict for `viewer` sharing it, or the answer that hides it: 404 when the
   * viewer cannot watch it (as for a missing video), and for `hide` also when they only watch.
   */
  async function sharer(viewer: Viewer, videoId: string, refusal: 'hide' | 'refuse'): Promise<{ video: VideoRecord; verdict: Verdict & { access: VideoAccess } }> {
    const video = VIDEO_ID_PATTERN.test(videoId) ? await deps.videos.get(videoId) : undefined;
    if (!video) fail('VIDEO_NOT_FOUND', undefined, { videoId });
    const verdict = await deps.authorizer.authorize({ viewer }, video, 'share');
    const { decision, access } = verdict;
    if (!decision.allowed || !access) {
      if (!decision.allowed && decision.code === 'SHARE_NOT_ALLOWED' && refusal === 'refuse') throw new VeilError('SHARE_NOT_ALLOWED', { data: { videoId } });
      fail('VIDEO_NOT_FOUND', undefined, { videoId });
    }
    return { video, verdict: { ...verdict, access } };
  }

  async function entryFor(org: string, principal: Principal): Promise<DirectoryEntry> {
    return (await deps.directory.resolve(org, principal)) ?? { principal, displayName: principal.slice(principal.indexOf(':') + 1), kind: principal.startsWith('group:') ? 'group' : 'user' };
  }

  async function documentResponse(video: VideoRecord, access: VideoAccess, policy: SharingPolicy, status = 200): Promise<Response> {
    const requests = await deps.grants.requests(video.id);
    const body: AccessDocument = {
      videoId: video.id,
      title: video.title,
      owner: await entryFor(video.org, `user:${video.owner}`),
      generalAccess: access.generalAccess,
      grants: await Promise.all(access.grants.map(async (grant) => ({ ...(await entryFor(video.org, grant.principal)), role: grant.role, expiresAt: grant.expiresAt }))),
      requests: await Promise.all(requests.map(async (request) => ({ ...(await entryFor(video.org, request.principal)), requestedAt: request.requestedAt }))),
      capabilities: { share: true, setGeneralAccess: policy.orgAccessAllowed || access.generalAccess === 'org' },
      limits: { orgAccessAllowed: policy.orgAccessAllowed, defaultExpiryDays: policy.defaultExpiryDays, maxExpiryDays: policy.maxExpiryDays },
    };
    return jsonResponse(body, { status, headers: { etag: accessEtag(access.version) } });
  }

  /**
   * Checks every change against the directory, the policy and the pending requests, and turns the
   * batch into one update (an `approve` is a grant that also answers the request; a `deny` only answers it).
   */
  async function toUpdate(video: VideoRecord, changes: readonly AccessChange[], verdict: Verdict, actor: string): Promise<AccessUpdate> {
    const { policy, now } = verdict;
    const pending = new Set((await deps.grants.requests(video.id)).map((request) => request.principal));
    const put = new Map<Principal, Grant>();
    const remove = new Set<Principal>();
    const resolved = new Set<Principal>();
    let generalAccess: AccessUpdate['generalAccess'];
    for (const [index, change] of changes.entries()) {
      const at = `changes.${index}`;
      if (change.op === 'general-access') {
        if (change.value === 'org' && !policy.orgAccessAllowed) throw new VeilError('SHARE_POLICY_VIOLATION', { message: 'Your organisation does not allow opening videos to everyone in it.', data: { at } });
        generalAccess = change.value;
        continue;
      }
      const { principal } = change;
      if (principal === `user:${video.owner}`) fail('BAD_REQUEST', `${at}: the owner's access cannot be changed.`);
      if (change.op === 'approve' || change.op === 'deny') {
        if (!pending.has(principal)) fail('BAD_REQUEST', `${at}: ${principal} has no pending access request.`);
        resolved.add(principal);
      }
      if (change.op === 'deny') {
        put.delete(principal);
        continue;
      }
      if (change.op === 'revoke') {
        put.delete(principal);
        remove.add(principal);
        continue;
      }
      if (!(await deps.directory.resolve(video.org, principal))) throw new VeilError('SHARE_OUTSIDE_ORG', { data: { at, principal } });
      const expiresAt = change.expiresAt === undefined ? (policy.defaultExpiryDays === null ? null : now + policy.defaultExpiryDays * DAY_MS) : change.expiresAt;
      if (expiresAt !== null && expiresAt <= now) fail('BAD_REQUEST', `${at}.expiresAt: the expiry must be in the future.`);
      if (policy.maxExpiryDays !== null && (expiresAt === null || expiresAt > now + policy.maxExpiryDays * DAY_MS)) {
        throw new VeilError('SHARE_POLICY_VIOLATION', { message: `Access can be given for at most ${policy.maxExpiryDays} days.`, data: { at } });
      }
      remove.delete(principal);
      put.set(principal, { principal, role: change.role, expiresAt, grantedBy: actor, grantedAt: now });
    }
    return { generalAccess, put: [...put.values()], remove: [...remove], resolveRequests: [...resolved] };
  }

  return [
    {
      path: API_ROUTES.videoAccess,
      method: 'GET',
      limit: 'admin',
      exposedHeaders: ['etag'],
      async handle({ request, params }) {
        const { video, verdict } = await sharer(await caller(request), params.videoId ?? '', 'hide');
        return documentResponse(video, verdict.access, verdict.policy);
      },
    },
    {
      path: API_ROUTES.videoAccess,
      method: 'POST',
      limit: 'admin',
      requestHeaders: ['if-match'],
      exposedHeaders: ['etag'],
      async handle({ request, params }) {
        const viewer = await caller(request);
        const { video, verdict } = await sharer(viewer, params.videoId ?? '', 'refuse');
        const ifMatch = request.headers.get('if-match');
        if (!ifMatch) throw new VeilError('SHARE_PRECONDITION_REQUIRED');
        const { changes } = parse(AccessChangeBatchSchema, await readJsonBody(request, MAX_BATCH_BYTES, 'access changes'));
        const update = await toUpdate(video, changes, verdict, viewer.sub);
        const before = verdict.access;
        if (ifMatch !== accessEtag(before.version)) throw new VeilError('SHARE_CONFLICT', { data: { videoId: video.id } });
        const saved = await deps.grants.save(video.id, before.version, update);
        if (!saved.saved) throw new VeilError('SHARE_CONFLICT', { data: { videoId: video.id } });
        await deps.audit(auditEvents(video, viewer.sub, before, update));
        const after = await deps.grants.read(video.id);
        if (!after) fail('VIDEO_NOT_FOUND', undefined, { videoId: video.id });
        return documentResponse(video, after, verdict.policy);
      },
    },
    {
      path: API_ROUTES.directorySearch,
      method: 'POST',
      limit: 'directory-search',
      async handle({ request }) {
        const viewer = await caller(request);
        await deps.guard.viewer(`${viewer.issuer} ${viewer.sub}`, 'directory-search');
        const { videoId, query } = parse(DirectorySearchRequestSchema, await readJsonBody(request, MAX_SEARCH_BYTES, 'directory search'));
        const { video } = await sharer(viewer, videoId, 'refuse');
        return jsonResponse({ results: await deps.directory.search(video.org, query, DIRECTORY_MAX_RESULTS) });
      },
    },
  ];
}

/** The audit records of one saved batch: what actually changed, one record per change. */
export function auditEvents(video: VideoRecord, actor: string, before: VideoAccess, update: AccessUpdate): ServerAuditEvent[] {
  const base = { actor, org: video.org, video: video.id };
  const events: ServerAuditEvent[] = [];
  if (update.generalAccess && update.generalAccess !== before.generalAccess) {
    events.push({ ...base, type: 'general-access-changed', data: { from: before.generalAccess, to: update.generalAccess } });
  }
  const previous = new Map(before.grants.map((grant) => [grant.principal, grant]));
  for (const principal of update.resolveRequests ?? []) {
    const approved = update.put.find((grant) => grant.principal === principal);
    events.push(approved ? { ...base, type: 'access-approved', data: { principal, role: approved.role } } : { ...base, type: 'access-denied', data: { principal } });
  }
  for (const principal of update.remove) {
    if (previous.has(principal)) events.push({ ...base, type: 'share-revoked', data: { principal, reason: 'removed' } });
  }
  for (const grant of update.put) {
    const old = previous.get(grant.principal);
    const expiresAt = grant.expiresAt ?? undefined;
    if (!old) {
      events.push({ ...base, type: 'share-granted', data: { principal: grant.principal, role: grant.role, expiresAt } });
      continue;
    }
    if (old.role !== grant.role) events.push({ ...base, type: 'share-role-changed', data: { principal: grant.principal, role: grant.role, from: old.role } });
    if (old.expiresAt !== grant.expiresAt) events.push({ ...base, type: 'share-expiry-changed', data: { principal: grant.principal, expiresAt } });
  }
  return events;
}
