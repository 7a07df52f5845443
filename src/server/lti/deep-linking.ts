/**
 * LTI Deep Linking 2.0: the request's settings (§4.4), the picker's choices and the signed
 * `LtiDeepLinkingResponse` (§4.5). Who picks: an LTI subject is never a Veil user, so the
 * instructor is the directory user of the deployment's org whose email is the launch's `email`
 * claim (none, or no such user: `LTI_INSTRUCTOR_UNKNOWN`). She may pick what she may share —
 * her own videos and those shared with her as editor (`decide()`'s `share` verdict) — and
 * picking grants the course context `viewer`.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { VeilError } from '../../protocol/errors.js';
import { decide } from '../access/decide.js';
import type { Directory } from '../access/directory.js';
import { DEFAULT_SHARING_POLICY, type SharingPolicy } from '../access/model.js';
import type { ServerAuditLog } from '../audit/server-events.js';
import type { GrantRepository } from '../storage/grants.js';
import type { SigningKeyRing } from '../storage/signing-keys.js';
import type { VideoRecord, VideoRepository } from '../storage/videos.js';
import { DEEP_LINKING_RESPONSE, LTI_CLAIM, LTI_VERSION } from './claims.js';

/** Longest `deep_link_return_url` and `data` read (characters). */
export const DEEP_LINK_CAPS = { url: 2048, data: 2048 } as const;
/** How long the picker may stay open before its choice is refused. */
export const DEEP_LINK_TTL_MS = 15 * 60 * 1000;
export const LTI_RESOURCE_LINK_TYPE = 'ltiResourceLink';

export interface DeepLinkingSettings {
  returnUrl: string;
  /** Opaque platform value, echoed unaltered in the response. */
  data?: string;
}

function refuse(reason: string): never {
  throw new VeilError('LTI_DEEP_LINK_SETTINGS_INVALID', { data: { reason } });
}

/** The settings claim of a deep-linking request; the tool offers only `ltiResourceLink` items. */
export function readDeepLinkingSettings(value: unknown): DeepLinkingSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('deep_linking_settings');
  const settings = value as Record<string, unknown>;
  const returnUrl = settings.deep_link_return_url;
  if (typeof returnUrl !== 'string' || returnUrl.length > DEEP_LINK_CAPS.url || !URL.canParse(returnUrl) || !/^https?:$/.test(new URL(returnUrl).protocol)) refuse('deep_link_return_url');
  const types = settings.accept_types;
  if (!Array.isArray(types) || !types.includes(LTI_RESOURCE_LINK_TYPE)) refuse('accept_types');
  const data = settings.data;
  if (data !== undefined && (typeof data !== 'string' || data.length > DEEP_LINK_CAPS.data)) refuse('data');
  return data === undefined ? { returnUrl } : { returnUrl, data };
}

/** What the tool needs to offer deep linking. */
export interface DeepLinkingDeps {
  videos: Pick<VideoRepository, 'get' | 'listVisibleTo'>;
  grants: Pick<GrantRepository, 'read' | 'save'>;
  directory: Pick<Directory, 'search' | 'groupsOf'>;
  /** The org's sharing policy, read at each decision (as the service does); default `DEFAULT_SHARING_POLICY`. */
  policyFor?: (org: string) => SharingPolicy | Promise<SharingPolicy>;
  /** The audit trail: a course granted `viewer` is recorded as a share-dialog grant is (`share-granted`, the instructor as actor). */
  audit?: ServerAuditLog;
}

/** The Veil user an instructor's launch stands for: the org's directory user with that email. */
export async function instructorOf(directory: Pick<Directory, 'search'>, org: string, email: string | undefined): Promise<string> {
  const wanted = email?.trim().toLowerCase();
  if (!wanted) throw new VeilError('LTI_INSTRUCTOR_UNKNOWN', { data: { reason: 'email' } });
  const match = (await directory.search(org, wanted)).find((entry) => entry.kind === 'user' && entry.email?.toLowerCase() === wanted);
  if (!match) throw new VeilError('LTI_INSTRUCTOR_UNKNOWN', { data: { reason: 'directory' } });
  return match.principal.slice('user:'.length);
}

/** `decide()`'s `share` verdict for the directory user (her directory groups, the org's policy, now). */
async function mayShare(deps: DeepLinkingDeps, sub: string, org: string, groups: readonly string[], video: VideoRecord): Promise<boolean> {
  const [access, policy] = await Promise.all([deps.grants.read(video.id), deps.policyFor?.(video.org) ?? DEFAULT_SHARING_POLICY]);
  if (!access || video.status !== 'ready') return false;
  const state = { id: video.id, org: video.org, owner: video.owner, generalAccess: access.generalAccess, grants: access.grants, policy };
  return decide({ sub, org, groups, perimeterViolation: undefined }, state, 'share', Date.now()).allowed;
}

/** The videos `sub` may add to a course: those she may share (owner, or editor where the policy lets editors share). */
export async function pickableVideos(deps: DeepLinkingDeps, sub: string, org: string): Promise<VideoRecord[]> {
  const groups = await deps.directory.groupsOf(org, sub);
  const candidates = await deps.videos.listVisibleTo(sub, org, [`user:${sub}`, ...groups.map((group) => `group:${group}`)]);
  const allowed = await Promise.all(candidates.map((video) => mayShare(deps, sub, org, groups, video)));
  return candidates.filter((_, index) => allowed[index]);
}

/** The video `sub` picked, if she may still share it now; `LTI_DEEP_LINK_VIDEO_REFUSED` otherwise. */
export async function pickedVideo(deps: DeepLinkingDeps, sub: string, org: string, videoId: string): Promise<VideoRecord> {
  const video = videoId ? await deps.videos.get(videoId) : undefined;
  if (!video || !(await mayShare(deps, sub, org, await deps.directory.groupsOf(org, sub), video))) throw new VeilError('LTI_DEEP_LINK_VIDEO_REFUSED', { data: { videoId: videoId.slice(0, 64) } });
  return video;
}

export interface DeepLinkingResponse {
  clientId: string;
  /** The platform's issuer: the response's audience. */
  platformIssuer: string;
  deploymentId: string;
  data?: string;
  /** The launch URL the new resource link points at. */
  launchUrl: string;
  video: Pick<VideoRecord, 'id' | 'title'>;
}

/** The signed `LtiDeepLinkingResponse` JWT (RS256 with the tool's current `kid`), one `ltiResourceLink` naming the video in `custom`. */
export async function signDeepLinkingResponse(toolKeys: Pick<SigningKeyRing, 'signingKey'>, response: DeepLinkingResponse): Promise<string> {
  const { kid, privateKey } = await toolKeys.signingKey();
  const claims: Record<string, unknown> = {
    nonce: randomUUID(),
    [LTI_CLAIM.messageType]: DEEP_LINKING_RESPONSE,
    [LTI_CLAIM.version]: LTI_VERSION,
    [LTI_CLAIM.deploymentId]: response.deploymentId,
    [LTI_CLAIM.contentItems]: [{ type: LTI_RESOURCE_LINK_TYPE, title: response.video.title, url: response.launchUrl, custom: { video: response.video.id } }],
  };
  if (response.data !== undefined) claims[LTI_CLAIM.deepLinkingData] = response.data;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(response.clientId)
    .setAudience(response.platformIssuer)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(privateKey);
}
