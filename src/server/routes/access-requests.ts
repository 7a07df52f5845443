/**
 * `POST /api/videos/:videoId/access-requests`: a member of the video's org who cannot watch it
 * asks its owner for access. They learn nothing about the video — only `pending` (asked now, or
 * already waiting: one pending request per member) or `granted` (they can already watch). Anyone
 * else (another org's member, an unknown video) gets the same 404 as for a missing video; outside
 * the perimeter, `PERIMETER_DENIED` first. The owner answers in the access document's batch.
 */
import { API_ROUTES } from '../../protocol/paths.js';
import type { AccessRequestResult } from '../../protocol/sharing.js';
import { VIDEO_ID_PATTERN } from '../../protocol/schemas.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import type { RouteDefinition } from '../context.js';
import { fail, jsonResponse } from '../http/json.js';
import type { GrantRepository } from '../storage/grants.js';
import { sharingCaller, type AccessRouteDeps } from './access.js';

export interface AccessRequestRouteDeps extends Pick<AccessRouteDeps, 'verifyAccessToken' | 'authorizer' | 'guard' | 'videos'> {
  grants: Pick<GrantRepository, 'addRequest'>;
  audit: ServerAuditLog;
  now?: () => number;
}

export function accessRequestRoutes(deps: AccessRequestRouteDeps): RouteDefinition[] {
  const now = deps.now ?? Date.now;
  return [
    {
      path: API_ROUTES.accessRequests,
      method: 'POST',
      limit: 'admin',
      async handle({ request, params }) {
        const viewer = await sharingCaller(deps, request);
        const videoId = params.videoId ?? '';
        const video = VIDEO_ID_PATTERN.test(videoId) ? await deps.videos.get(videoId) : undefined;
        if (!video || viewer.org !== video.org) fail('VIDEO_NOT_FOUND', undefined, { videoId });
        const { decision } = await deps.authorizer.authorize({ viewer }, video, 'view');
        const answer = (status: AccessRequestResult['status'], code = 200) => jsonResponse({ status } satisfies AccessRequestResult, { status: code });
        if (decision.allowed) return answer('granted');
        if (!(await deps.grants.addRequest(video.id, { principal: `user:${viewer.sub}`, requestedAt: now() }))) return answer('pending');
        await deps.audit([{ type: 'access-requested', actor: viewer.sub, org: video.org, video: video.id, data: {} }]);
        return answer('pending', 201);
      },
    },
  ];
}
