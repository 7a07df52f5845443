/**
 * `GET /api/videos` — the viewer's videos (owned, or visible through their org's general access)
 * with their status; `GET /api/videos/:videoId` — one video's status and processing progress
 * (what `<veil-player>` polls while a recording is processed). Access token, perimeter checked.
 */
import { VeilError } from '../../protocol/errors.js';
import type { VideoListDocument, VideoStatusDocument } from '../../protocol/recording.js';
import type { Viewer } from '../../protocol/viewer.js';
import { API_ROUTES } from '../../protocol/paths.js';
import type { Authorizer } from '../access/authorizer.js';
import { principalsOf } from '../access/decide.js';
import type { AccessTokenVerifier, RouteDefinition } from '../context.js';
import { bearerToken, jsonResponse } from '../http.js';
import type { RecordingRepository } from '../storage/recordings.js';
import type { VideoRecord, VideoRepository } from '../storage/videos.js';

export interface VideoRouteDeps {
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: (viewer: Viewer) => void;
  videos: VideoRepository;
  authorizer: Authorizer;
  /** Without it, no video has a processing job. */
  recordings?: RecordingRepository;
}

async function statusDocument(video: VideoRecord, viewer: Viewer, deps: VideoRouteDeps): Promise<VideoStatusDocument> {
  const job = await deps.recordings?.getJob(video.id);
  return {
    id: video.id,
    title: video.title,
    status: video.status,
    role: video.owner === viewer.sub ? 'owner' : 'viewer',
    ...(job ? { processing: { state: job.state, progress: job.progress, ...(job.code ? { code: job.code } : {}) } } : {}),
  };
}

async function signedInViewer(request: Request, deps: VideoRouteDeps): Promise<Viewer> {
  const viewer = await deps.verifyAccessToken(bearerToken(request));
  deps.checkPerimeter(viewer);
  return viewer;
}

async function listVideos(request: Request, deps: VideoRouteDeps): Promise<Response> {
  const viewer = await signedInViewer(request, deps);
  const videos: VideoStatusDocument[] = [];
  const principals = principalsOf(await deps.authorizer.subject({ viewer }));
  for (const video of await deps.videos.listVisibleTo(viewer.sub, viewer.org, [...principals])) {
    if ((await deps.authorizer.authorize({ viewer }, video, 'view')).decision.allowed) videos.push(await statusDocument(video, viewer, deps));
  }
  const body: VideoListDocument = { videos };
  return jsonResponse(body);
}

async function videoStatus(request: Request, deps: VideoRouteDeps, videoId: string): Promise<Response> {
  const viewer = await signedInViewer(request, deps);
  const video = await deps.videos.get(videoId);
  if (!video) throw new VeilError('VIDEO_NOT_FOUND', { data: { videoId } });
  if (!(await deps.authorizer.authorize({ viewer }, video, 'view')).decision.allowed) throw new VeilError('PLAYBACK_NOT_GRANTED', { data: { videoId } });
  return jsonResponse(await statusDocument(video, viewer, deps));
}

export function videoRoutes(deps: VideoRouteDeps): RouteDefinition[] {
  return [
    { path: API_ROUTES.videos, method: 'GET', handle: ({ request }) => listVideos(request, deps) },
    { path: API_ROUTES.video, method: 'GET', handle: ({ request, params }) => videoStatus(request, deps, params.videoId!) },
  ];
}
