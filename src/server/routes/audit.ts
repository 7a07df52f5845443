/**
 * The audit trail's HTTP face.
 *
 * `POST /api/audit/events` — ingest. Authenticated by the playback token (events of a playback
 * session: actor, org, video and session come from the verified token) or by the viewer's access
 * token (events before a playback session exists: sign-in, denials; actor and org from the token,
 * no video). The credential comes in `Authorization: Bearer` or, for `sendBeacon`, as `credential`
 * in the body — never in the URL. The batch is validated whole before anything is written: one
 * bad event rejects it with 400. Ids already stored are skipped (idempotent retries).
 *
 * `GET /api/audit/events` — reading, for org admins (admin group in the access token), always
 * limited to the admin's own org; JSON or CSV.
 */
import { decodeProtectedHeader } from 'jose';
import {
  AUDIT_EVENT_TYPES,
  AUDIT_MAX_BATCH_BYTES,
  AUDIT_MAX_BATCH_EVENTS,
  AUDIT_MAX_STRING,
  isAuditEventType,
  SERVER_AUDIT_EVENT_TYPES,
  UUID_PATTERN,
  type AuditEventType,
} from '../../protocol/audit-events.js';
import { VeilError } from '../../protocol/errors.js';
import type { AuditQuery, AuditRecord, AuditRecordInput } from '../audit/store.js';
import { bearerToken, fail, jsonResponse, readBodyText } from '../http.js';
import { PLAYBACK_TOKEN_TYP } from '../playback-token.js';
import type { VeilServiceContext } from '../service.js';

/** Events an access token may vouch for: the ones that happen before a playback session exists. */
export const ACCESS_TOKEN_EVENT_TYPES: ReadonlySet<AuditEventType> = new Set(['sign-in', 'perimeter-denied', 'playback-session-denied', 'error']);
/** Events that cannot carry a playback token (there is none yet). */
const PRE_SESSION_TYPES: ReadonlySet<AuditEventType> = new Set(['sign-in', 'perimeter-denied', 'playback-session-denied']);

const EVENT_KEYS = new Set(['id', 'type', 'session', 'seq', 'clientTime', 'position', 'data']);
/** Fields a client may send but which the server ignores: identity comes from the token. */
const IGNORED_CLAIMS = new Set(['actor', 'org', 'video', 'user', 'sub']);
const MAX_POSITION = 1e7;

function invalid(message: string): never {
  throw new VeilError('AUDIT_BATCH_INVALID', { message: `The audit batch is invalid: ${message}` });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type ClientEvent = Omit<AuditRecordInput, 'actor' | 'org' | 'video' | 'playbackSession' | 'credential'>;

function validateEvent(value: unknown, index: number): ClientEvent {
  const at = `events[${index}]`;
  if (!isObject(value)) invalid(`${at} is not an object`);
  for (const key of Object.keys(value)) {
    if (!EVENT_KEYS.has(key) && !IGNORED_CLAIMS.has(key)) invalid(`${at} has an unknown field "${key}"`);
  }
  const { id, type, session, seq, clientTime, position, data } = value;
  if (typeof id !== 'string' || !UUID_PATTERN.test(id)) invalid(`${at}.id must be a lower-case UUID`);
  if (!isAuditEventType(type)) invalid(`${at}.type "${String(type)}" is not an audit event type`);
  if (typeof session !== 'string' || !UUID_PATTERN.test(session)) invalid(`${at}.session must be a lower-case UUID`);
  if (!Number.isInteger(seq) || (seq as number) < 1 || (seq as number) > 1e9) invalid(`${at}.seq must be an integer from 1`);
  if (!Number.isInteger(clientTime) || (clientTime as number) < 0 || (clientTime as number) > 8.64e15) invalid(`${at}.clientTime must be epoch milliseconds`);
  if (position !== null && (typeof position !== 'number' || !Number.isFinite(position) || position < 0 || position > MAX_POSITION)) {
    invalid(`${at}.position must be null or seconds`);
  }
  if (!isObject(data)) invalid(`${at}.data must be an object`);
  const schema = AUDIT_EVENT_TYPES[type].data as Record<string, string>;
  for (const [key, field] of Object.entries(data)) {
    const kind = schema[key];
    if (!kind) invalid(`${at}.data.${key} is not a field of "${type}"`);
    if (typeof field !== kind) invalid(`${at}.data.${key} must be a ${kind}`);
    if (typeof field === 'string' && field.length > AUDIT_MAX_STRING) invalid(`${at}.data.${key} is longer than ${AUDIT_MAX_STRING}`);
    if (typeof field === 'number' && !Number.isFinite(field)) invalid(`${at}.data.${key} must be finite`);
  }
  return {
    id,
    type,
    playerSession: session,
    playerSeq: seq as number,
    clientTime: clientTime as number,
    position: position as number | null,
    data: data as AuditRecordInput['data'],
  };
}

interface Credential {
  kind: 'playback' | 'access';
  actor: string;
  org: string;
  video: string | null;
  playbackSession: string | null;
}

async function verifyCredential(token: string, context: VeilServiceContext, graceSeconds: number): Promise<Credential> {
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    throw new VeilError('PLAYBACK_TOKEN_INVALID');
  }
  if (typ === PLAYBACK_TOKEN_TYP) {
    const claims = await context.playbackTokens.verifyForAudit(token, graceSeconds);
    return { kind: 'playback', actor: claims.sub, org: claims.org, video: claims.vid, playbackSession: claims.sid };
  }
  const viewer = await context.verifyAccessToken(token, { expiredGraceSeconds: graceSeconds });
  return { kind: 'access', actor: viewer.sub, org: viewer.org ?? '', video: null, playbackSession: null };
}

export async function ingestAuditEvents(request: Request, context: VeilServiceContext): Promise<Response> {
  const audit = context.audit ?? fail('NOT_FOUND', 'This service keeps no audit trail.');
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  // text/plain is what `sendBeacon` sends for a string body (and needs no CORS preflight).
  if (type !== 'application/json' && type !== 'text/plain') invalid('send it as application/json (or text/plain from sendBeacon)');
  const text = await readBodyText(request, AUDIT_MAX_BATCH_BYTES);
  if (text === undefined) throw new VeilError('AUDIT_BATCH_TOO_LARGE', { data: { maxBytes: AUDIT_MAX_BATCH_BYTES } });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    invalid('not valid JSON');
  }
  if (!isObject(body)) invalid('the body must be an object');
  for (const key of Object.keys(body)) if (key !== 'events' && key !== 'credential') invalid(`unknown field "${key}"`);
  const { events, credential } = body;
  if (!Array.isArray(events) || events.length === 0) invalid('`events` must be a non-empty array');
  if (events.length > AUDIT_MAX_BATCH_EVENTS) throw new VeilError('AUDIT_BATCH_TOO_LARGE', { data: { maxEvents: AUDIT_MAX_BATCH_EVENTS } });
  if (credential !== undefined && typeof credential !== 'string') invalid('`credential` must be a string');
  const header = bearerToken(request);
  if (header && credential && header !== credential) invalid('the Authorization header and `credential` disagree');
  const token = header ?? (credential as string | undefined);
  if (!token) throw new VeilError('PLAYBACK_TOKEN_MISSING');

  // Validate everything before authenticating or writing anything.
  const parsed = events.map(validateEvent);
  const who = await verifyCredential(token, context, audit.lateDeliverySeconds);
  for (const [index, event] of parsed.entries()) {
    if (SERVER_AUDIT_EVENT_TYPES.has(event.type)) invalid(`events[${index}] ("${event.type}") is written by the service itself`);
    if (who.kind === 'access' && !ACCESS_TOKEN_EVENT_TYPES.has(event.type)) invalid(`events[${index}] ("${event.type}") needs the playback token of its session`);
    if (who.kind === 'playback' && PRE_SESSION_TYPES.has(event.type)) invalid(`events[${index}] ("${event.type}") belongs before a playback session; send it with the access token`);
  }
  const records: AuditRecordInput[] = parsed.map((event) => ({
    ...event,
    actor: who.actor,
    org: who.org,
    video: who.video,
    playbackSession: who.playbackSession,
    credential: who.kind,
  }));
  const result = await audit.store.append(records);
  return jsonResponse({ stored: result.stored.length, duplicates: result.duplicates.length });
}

function timeParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) fail('BAD_REQUEST', `\`${name}\` must be an ISO 8601 time or epoch milliseconds.`);
  return value;
}

function stringParam(params: URLSearchParams, name: string): string | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw.length > AUDIT_MAX_STRING) fail('BAD_REQUEST', `\`${name}\` is too long.`);
  return raw;
}

export const CSV_COLUMNS = [
  'seq', 'id', 'serverTime', 'clientTime', 'type', 'actor', 'org', 'video', 'playbackSession', 'playerSession', 'playerSeq',
  'position', 'credential', 'data', 'prevHash', 'hash',
] as const;

/** One CSV cell (RFC 4180), defused against spreadsheet formula injection. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(records: readonly AuditRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const record of records) {
    const row = { ...record, serverTime: new Date(record.serverTime).toISOString(), clientTime: new Date(record.clientTime).toISOString() };
    lines.push(CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export async function readAuditEvents(request: Request, context: VeilServiceContext): Promise<Response> {
  const audit = context.audit ?? fail('NOT_FOUND', 'This service keeps no audit trail.');
  const viewer = await context.verifyAccessToken(bearerToken(request));
  context.checkPerimeter(viewer);
  if (!viewer.groups.includes(audit.adminGroup) || !viewer.org) throw new VeilError('AUDIT_ADMIN_REQUIRED');

  const params = new URL(request.url).searchParams;
  const type = stringParam(params, 'type');
  if (type !== undefined && !isAuditEventType(type)) fail('BAD_REQUEST', `\`type\` "${type}" is not an audit event type.`);
  const limitRaw = params.get('limit');
  const limit = limitRaw ? Number(limitRaw) : 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) fail('BAD_REQUEST', '`limit` must be an integer from 1 to 10000.');
  const afterRaw = params.get('after');
  const after = afterRaw ? Number(afterRaw) : undefined;
  if (after !== undefined && !Number.isInteger(after)) fail('BAD_REQUEST', '`after` must be a record number.');
  const format = params.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') fail('BAD_REQUEST', '`format` must be json or csv.');

  const query: AuditQuery = {
    org: viewer.org, // an admin reads their own organisation's trail, whatever they ask for
    video: stringParam(params, 'video'),
    actor: stringParam(params, 'user'),
    type,
    from: timeParam(params, 'from'),
    to: timeParam(params, 'to'),
    after,
    limit,
  };
  const records = await audit.store.query(query);
  if (format === 'csv') {
    return new Response(toCsv(records), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="veil-audit.csv"',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  }
  return jsonResponse({ events: records });
}
