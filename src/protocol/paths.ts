/**
 * The service's routes: path patterns for the router (Hono syntax, `:name` parameters) and URL
 * builders for everyone else. Nothing else in Veil writes an API path by hand.
 */

export const API_ROUTES = {
  playbackSessions: '/api/playback-sessions',
  media: '/media/:videoId/:file',
  hlsKey: '/api/keys/:videoId',
  license: '/api/license/:videoId',
  auditEvents: '/api/audit/events',
  /** The audit trail's hash chain, verified now (org admins). */
  auditVerify: '/api/audit/verify',
  jwks: '/api/jwks',
  /** tus 1.0 creation endpoint (POST, with the access token). */
  uploads: '/api/uploads',
  /** One tus upload (HEAD, PATCH, DELETE, with its upload token). */
  upload: '/api/uploads/:uploadId',
  /** A fresh upload token for an upload of the caller's (POST, with the access token). */
  uploadToken: '/api/uploads/:uploadId/token',
  /** The viewer's videos (owned or visible to them). */
  videos: '/api/videos',
  /** One video's status and processing progress. */
  video: '/api/videos/:videoId',
  videoAccess: '/api/videos/:videoId/access',
  directorySearch: '/api/directory/search',
  /** A member without access asks the owner for it (POST). */
  accessRequests: '/api/videos/:videoId/access-requests',
  /** The caller's org's sharing policy (GET; PUT for its admins). */
  sharingPolicy: '/api/sharing-policy',
  /** SCIM 2.0 provisioning (RFC 7644), authenticated with the org's SCIM secret. */
  scimUsers: '/scim/v2/Users',
  scimUser: '/scim/v2/Users/:id',
  scimGroups: '/scim/v2/Groups',
  scimGroup: '/scim/v2/Groups/:id',
  scimServiceProviderConfig: '/scim/v2/ServiceProviderConfig',
  scimResourceTypes: '/scim/v2/ResourceTypes',
  scimResourceType: '/scim/v2/ResourceTypes/:id',
  scimSchemas: '/scim/v2/Schemas',
  scimSchema: '/scim/v2/Schemas/:id',
} as const;

/** Path prefixes the service answers; a host server forwards these to the handler. */
export const SERVICE_PATH_PREFIXES = ['/api/', '/media/', '/scim/'] as const;

function base(api: string): string {
  return api.replace(/\/+$/, '');
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

/** URL builders over a base URL (origin plus optional base path) of the Veil API. */
export function apiUrls(api: string) {
  const root = base(api);
  return {
    playbackSessions: () => `${root}${API_ROUTES.playbackSessions}`,
    media: (videoId: string, file: string) => `${root}/media/${segment(videoId)}/${segment(file)}`,
    hlsKey: (videoId: string) => `${root}/api/keys/${segment(videoId)}`,
    license: (videoId: string) => `${root}/api/license/${segment(videoId)}`,
    auditEvents: () => `${root}${API_ROUTES.auditEvents}`,
    auditVerify: () => `${root}${API_ROUTES.auditVerify}`,
    jwks: () => `${root}${API_ROUTES.jwks}`,
    uploads: () => `${root}${API_ROUTES.uploads}`,
    upload: (uploadId: string) => `${root}/api/uploads/${segment(uploadId)}`,
    uploadToken: (uploadId: string) => `${root}/api/uploads/${segment(uploadId)}/token`,
    videos: () => `${root}${API_ROUTES.videos}`,
    video: (videoId: string) => `${root}/api/videos/${segment(videoId)}`,
    videoAccess: (videoId: string) => `${root}/api/videos/${segment(videoId)}/access`,
    directorySearch: () => `${root}${API_ROUTES.directorySearch}`,
    accessRequests: (videoId: string) => `${root}/api/videos/${segment(videoId)}/access-requests`,
    sharingPolicy: () => `${root}${API_ROUTES.sharingPolicy}`,
  };
}

export type ApiUrls = ReturnType<typeof apiUrls>;
