/**
 * The audit event model: the one definition of every event type, its data fields and the wire
 * format of an ingest batch. Shared by the browser (capture, queue, transport) and the reference
 * server (schema validation), so the two cannot drift apart.
 */

/** Kind of each `data` field; the server rejects a batch whose data has any other field or kind. */
export type AuditFieldKind = 'string' | 'number' | 'boolean';

/**
 * Every event type, with its data fields and whether it is security-relevant (sent promptly; a
 * host can observe it through `veil-audit` but nothing can stop it — the same is true of the rest).
 */
export const AUDIT_EVENT_TYPES = {
  'sign-in': { security: true, data: {} },
  'perimeter-denied': { security: true, data: { reason: 'string', requestedVideo: 'string' } },
  'playback-session-granted': { security: true, data: { protocol: 'string' } },
  'playback-session-denied': { security: true, data: { code: 'string', requestedVideo: 'string' } },
  'token-renewed': { security: true, data: { expiresAt: 'number' } },
  play: { security: false, data: {} },
  pause: { security: false, data: {} },
  seek: { security: false, data: { from: 'number', to: 'number' } },
  ended: { security: false, data: {} },
  heartbeat: { security: false, data: { watchedSeconds: 'number' } },
  'rendition-change': { security: false, data: { width: 'number', height: 'number' } },
  fullscreen: { security: false, data: { active: 'boolean' } },
  error: { security: true, data: { code: 'string' } },
  'watermark-tampered': { security: true, data: { vector: 'string' } },
  'context-menu': { security: true, data: {} },
  'download-attempt': { security: true, data: { via: 'string' } },
  // Recorder events: written by the server (uploader from the verified token; SERVER_AUDIT_EVENT_TYPES).
  'recording-started': { security: true, data: { uploadId: 'string' } },
  'recording-recovered': { security: true, data: { uploadId: 'string', offset: 'number' } },
  'upload-completed': { security: true, data: { uploadId: 'string', bytes: 'number' } },
  'video-processed': { security: true, data: { remuxed: 'boolean', seconds: 'number' } },
  'video-processing-failed': { security: true, data: { code: 'string' } },
  /** Written by the server, never by a client: an address was blocked after repeated refused tokens. */
  'client-blocked': { security: true, data: { address: 'string', refusals: 'number', blockedSeconds: 'number', code: 'string' } },
  // Written by the server when a video's access changes (SERVER_AUDIT_EVENT_TYPES below).
  'share-granted': { security: true, data: { principal: 'string', role: 'string', expiresAt: 'number' } },
  'share-role-changed': { security: true, data: { principal: 'string', role: 'string', from: 'string' } },
  'share-expiry-changed': { security: true, data: { principal: 'string', expiresAt: 'number' } },
  'share-revoked': { security: true, data: { principal: 'string', reason: 'string' } },
  'general-access-changed': { security: true, data: { from: 'string', to: 'string', reason: 'string' } },
  // Access requests, expiry and the org policy (issue 12, second part): server-written too.
  'share-expired': { security: true, data: { principal: 'string', expiresAt: 'number' } },
  'access-requested': { security: true, data: {} },
  'access-approved': { security: true, data: { principal: 'string', role: 'string' } },
  'access-denied': { security: true, data: { principal: 'string' } },
  'sharing-policy-changed': { security: true, data: { orgAccessAllowed: 'boolean', defaultExpiryDays: 'number', maxExpiryDays: 'number', editorsMayShare: 'boolean' } },
  // Written by the server when SCIM provisioning gives or takes a user's access (SERVER_AUDIT_EVENT_TYPES).
  'user-provisioned': { security: true, data: { sub: 'string', userName: 'string' } },
  'user-deprovisioned': { security: true, data: { sub: 'string', userName: 'string', reason: 'string' } },
} as const satisfies Record<string, { security: boolean; data: Record<string, AuditFieldKind> }>;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

type KindOf<K extends AuditFieldKind> = K extends 'string' ? string : K extends 'number' ? number : boolean;
/** The `data` of an event of type `T` (every field optional: a capture records what it knows). */
export type AuditEventData<T extends AuditEventType> = {
  -readonly [F in keyof (typeof AUDIT_EVENT_TYPES)[T]['data']]?: KindOf<(typeof AUDIT_EVENT_TYPES)[T]['data'][F] & AuditFieldKind>;
};

/**
 * One event as the client sends it. Who (actor, org) and which video are deliberately absent: the
 * server takes them from the verified credential, never from the client.
 */
export interface AuditEvent {
  /** Random UUID; the server stores an id once (idempotent delivery). */
  id: string;
  type: AuditEventType;
  /** Player (or session element) session id, a random UUID per element run. */
  session: string;
  /** 1, 2, 3 … within `session`: a gap means a lost event. */
  seq: number;
  /** Epoch milliseconds on the client's clock. */
  clientTime: number;
  /** Media position in seconds, or null when there is no media. */
  position: number | null;
  data: Record<string, string | number | boolean>;
}

/**
 * The body of `POST /api/audit/events`. `credential` is for `sendBeacon`, which cannot send an
 * `Authorization` header: the token goes in the body, never in the URL.
 */
export interface AuditBatch {
  credential?: string;
  events: AuditEvent[];
}

/** A batch body is at most 60 KiB: the keepalive/beacon quota is 64 KiB for all in-flight bodies. */
export const AUDIT_MAX_BATCH_BYTES = 60 * 1024;
/** At most this many events in one batch. */
export const AUDIT_MAX_BATCH_EVENTS = 500;
/** Limits of one event's fields. */
export const AUDIT_MAX_STRING = 256;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Types only the server writes; a client batch carrying one is refused. */
export const SERVER_AUDIT_EVENT_TYPES: ReadonlySet<AuditEventType> = new Set([
  'client-blocked',
  'share-granted',
  'share-role-changed',
  'share-expiry-changed',
  'share-revoked',
  'general-access-changed',
  'share-expired',
  'access-requested',
  'access-approved',
  'access-denied',
  'sharing-policy-changed',
  'recording-started',
  'recording-recovered',
  'upload-completed',
  'video-processed',
  'video-processing-failed',
  'user-provisioned',
  'user-deprovisioned',
]);

export function isAuditEventType(value: unknown): value is AuditEventType {
  return typeof value === 'string' && Object.hasOwn(AUDIT_EVENT_TYPES, value);
}

export function isSecurityEvent(type: AuditEventType): boolean {
  return AUDIT_EVENT_TYPES[type].security;
}
