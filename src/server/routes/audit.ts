/**
 * The audit trail's HTTP face.
 *
 * `POST /api/audit/events` — ingest. Authenticated by the playback token (events of a playback
 * session: actor, org, video and session come from the verified token) or by the viewer's access
 * token (events before a playback session exists: sign-in, denials; actor and org from the token,
 * no video). The credential comes in `Authorization: Bearer` or, for `sendBeacon`, as `credential`
 * in the body — never in the URL. The batch is validated whole (`AuditBatchSchema`, the same schema
 * the client's types are checked against) before anything is written: one bad event rejects it with 400. Ids already stored are skipped (idempotent retries).
 *
 * `GET /api/audit/events` — reading, for org admins (admin group in the access token), always
 * limited to the admin's own org; JSON or CSV.
 *
 * `GET /api/audit/verify` — for org admins: walks the whole hash chain now and answers
 * `{ ok, count, head, broken? }` (the chain is one for every org, so it is verified whole).
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AUDIT_MAX_BATCH_BYTES, AUDIT_MAX_BATCH_EVENTS, AUDIT_MAX_STRING, isAuditEventType, SERVER_AUDIT_EVENT_TYPES, type AuditEventType } from '../../protocol/audit-events.js';
import { MAX_TOKEN_LENGTH } from '../../protocol/defaults.js';
import { VeilError } from '../../protocol/errors.js';
import { API_ROUTES } from '../../protocol/paths.js';
import { AuditBatchSchema, parseWith, type AuditEventBody } from '../../protocol/schemas.js';
import { verifyChain, type AuditQuery, type AuditRecord, type AuditRecordInput } from '../audit/store.js';
import type { AccessTokenVerifier, AuditSettings, PerimeterCheck, RouteDefinition } from '../context.js';
import type { Guard } from '../limits/guard.js';
import { bearerToken, contentType, readBodyText } from '../http/body.js';
import { fail, jsonResponse } from '../http/json.js';
import { PLAYBACK_TOKEN_TYP, type PlaybackTokenService } from '../playback-token.js';

/** Events an access token may vouch for: the ones that happen before a playback session exists. */
export const ACCESS_TOKEN_EVENT_TYPES: ReadonlySet<AuditEventType> = new Set(['sign-in', 'perimeter-denied', 'playback-session-denied', 'error']);
/** Events that cannot carry a playback token (there is none yet). */
const PRE_SESSION_TYPES: ReadonlySet<AuditEventType> = new Set(['sign-in', 'perimeter-denied', 'playback-session-denied']);

function invalid(message: string): never {
  throw new VeilError('AUDIT_BATCH_INVALID', { message: `The audit batch is invalid: ${message}` });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type ClientEvent = Omit<AuditRecordInput, 'actor' | 'org' | 'video' | 'playbackSession' | 'credential'>;

function toClientEvent(event: AuditEventBody): ClientEvent {
  return {
    id: event.id,
    type: event.type,
    playerSession: event.session,
    playerSeq: event.seq,
    clientTime: event.clientTime,
    position: event.position,
    data: event.data as AuditRecordInput['data'],
  };
}

interface Credential {
  kind: 'playback' | 'access';
  actor: string;
  org: string;
  video: string | null;
  playbackSession: string | null;
  /** The token's identity and validity window (verified claims), for its event budget and late events. */
  tokenId: string;
  iat: number;
  exp: number;
}

export interface AuditRouteDeps {
  /** Without it both routes answer 404. */
  audit: AuditSettings | undefined;
  verifyAccessToken: AccessTokenVerifier;
  checkPerimeter: PerimeterCheck;
  playbackTokens: Pick<PlaybackTokenService, 'verifyForAudit'>;
  /** Per-viewer limit and the per-token event budget. */
  guard: Pick<Guard, 'viewer' | 'auditBudget' | 'refundAudit' | 'settings'>;
}

export function auditRoutes(deps: AuditRouteDeps): RouteDefinition[] {
  const required = (): AuditSettings => deps.audit ?? fail('NOT_FOUND', 'This service keeps no audit trail.');

  async function verifyCredential(token: string, graceSeconds: number): Promise<Credential> {
    let typ: unknown;
    try {
      if (token.length > MAX_TOKEN_LENGTH) throw new Error('token too long');
      typ = decodeProtectedHeader(token).typ;
    } catch {
      throw new VeilError('PLAYBACK_TOKEN_INVALID');
    }
    if (typ === PLAYBACK_TOKEN_TYP) {
      const claims = await deps.playbackTokens.verifyForAudit(token, graceSeconds);
      return { kind: 'playback', actor: claims.sub, org: claims.org, video: claims.vid, playbackSession: claims.sid, tokenId: `p:${claims.jti}`, iat: claims.iat, exp: claims.exp };
    }
    const viewer = await deps.verifyAccessToken(token, { expiredGraceSeconds: graceSeconds });
    // Verified just now: its claims can be read as they are.
    const { iat, exp, jti } = decodeJwt(token);
    return { kind: 'access', actor: viewer.sub, org: viewer.org ?? '', video: null, playbackSession: null, tokenId: `a:${viewer.issuer}:${jti ?? token.slice(-43)}`, iat: iat ?? 0, exp: exp ?? 0 };
  }

  async function ingest(request: Request): Promise<Response> {
    const audit = required();
    const type = contentType(request);
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
    if (Array.isArray(body.events) && body.events.length > AUDIT_MAX_BATCH_EVENTS) {
      throw new VeilError('AUDIT_BATCH_TOO_LARGE', { data: { maxEvents: AUDIT_MAX_BATCH_EVENTS } });
    }
    // The whole batch against the schema, before authenticating or writing anything.
    const parsed = parseWith(AuditBatchSchema, body);
    if (!parsed.ok) invalid(parsed.message);
    const { events, credential } = parsed.value;
    for (const [index, event] of events.entries()) {
      if (SERVER_AUDIT_EVENT_TYPES.has(event.type)) invalid(`events[${index}] ("${event.type}") is written by the server only`);
    }
    const header = bearerToken(request);
    if (header && credential && header !== credential) invalid('the Authorization header and `credential` disagree');
    const token = header ?? credential;
    if (!token) throw new VeilError('PLAYBACK_TOKEN_MISSING');

    const who = await verifyCredential(token, audit.lateDeliverySeconds);
    await deps.guard.viewer(who.actor, 'audit');
    for (const [index, event] of events.entries()) {
      if (who.kind === 'access' && !ACCESS_TOKEN_EVENT_TYPES.has(event.type)) invalid(`events[${index}] ("${event.type}") needs the playback token of its session`);
      if (who.kind === 'playback' && PRE_SESSION_TYPES.has(event.type)) invalid(`events[${index}] ("${event.type}") belongs before a playback session; send it with the access token`);
    }
    // Late delivery (the token has expired): every event must have happened while it was valid.
    const skewMs = deps.guard.settings.audit.clockSkewSeconds * 1000;
    if (Date.now() > who.exp * 1000) {
      const outside = events.findIndex((event) => event.clientTime < who.iat * 1000 - skewMs || event.clientTime > who.exp * 1000 + skewMs);
      if (outside >= 0) {
        throw new VeilError('AUDIT_EVENT_TOO_LATE', {
          message: `The audit batch was not accepted: events[${outside}] was recorded outside its token's validity window.`,
          data: { index: outside, notBefore: who.iat * 1000 - skewMs, notAfter: who.exp * 1000 + skewMs },
        });
      }
    }
    // At most what a real player records during the token's lifetime; nothing stored beyond it.
    const lifetime = Math.max(1, who.exp - who.iat);
    const budget = await deps.guard.auditBudget(who.tokenId, lifetime, events.length);
    if (!budget.allowed) throw new VeilError('AUDIT_BUDGET_EXCEEDED', { data: { budget: budget.budget } });
    const records: AuditRecordInput[] = events.map((event) => ({
      ...toClientEvent(event),
      actor: who.actor,
      org: who.org,
      video: who.video,
      playbackSession: who.playbackSession,
      credential: who.kind,
    }));
    let result: Awaited<ReturnType<typeof audit.store.append>>;
    try {
      result = await audit.store.append(records);
    } catch (error) {
      await deps.guard.refundAudit(who.tokenId, lifetime, events.length);
      throw error;
    }
    // Idempotent retries cost nothing.
    await deps.guard.refundAudit(who.tokenId, lifetime, result.duplicates.length);
    return jsonResponse({ stored: result.stored.length, duplicates: result.duplicates.length });
  }

  /** The caller, when an admin of an org inside the perimeter; else the error that says why not. */
  async function admin(request: Request, audit: AuditSettings): Promise<{ org: string }> {
    const viewer = await deps.verifyAccessToken(bearerToken(request));
    await deps.guard.viewer(viewer.sub, 'admin');
    deps.checkPerimeter(viewer);
    if (!viewer.groups.includes(audit.adminGroup) || !viewer.org) throw new VeilError('AUDIT_ADMIN_REQUIRED');
    return { org: viewer.org };
  }

  async function verify(request: Request): Promise<Response> {
    const audit = required();
    await admin(request, audit);
    const report = await verifyChain(audit.store.scan());
    // The broken record's number and reason, not its content (it may be another org's record).
    const broken = report.broken ? { seq: report.broken.seq, reason: report.broken.reason } : undefined;
    return jsonResponse({ ok: report.ok, count: report.count, head: report.head, ...(broken ? { broken } : {}), verifiedAt: Date.now() });
  }

  async function read(request: Request, url: URL): Promise<Response> {
    const audit = required();
    const viewer = await admin(request, audit);

    const params = url.searchParams;
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
      return new Response(csvStream(records), {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="veil-audit.csv"',
          'cache-control': 'no-store',
        },
      });
    }
    return jsonResponse({ events: records });
  }

  return [
    { path: API_ROUTES.auditEvents, method: 'POST', limit: 'audit', handle: ({ request }) => ingest(request) },
    { path: API_ROUTES.auditEvents, method: 'GET', limit: 'admin', handle: ({ request, url }) => read(request, url) },
    { path: API_ROUTES.auditVerify, method: 'GET', limit: 'admin', handle: ({ request }) => verify(request) },
  ];
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

function csvLine(record: AuditRecord): string {
  const row = { ...record, serverTime: new Date(record.serverTime).toISOString(), clientTime: new Date(record.clientTime).toISOString() };
  return `${CSV_COLUMNS.map((column) => csvCell(row[column])).join(',')}\r\n`;
}

/** The CSV export as a stream of lines, written in chunks as the client reads (never one big string). */
function csvStream(records: readonly AuditRecord[], linesPerChunk = 200): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = -1; // -1: the header row
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === -1) {
        controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(',')}\r\n`));
        next = 0;
        return;
      }
      if (next >= records.length) {
        controller.close();
        return;
      }
      const end = Math.min(records.length, next + linesPerChunk);
      let chunk = '';
      for (; next < end; next += 1) chunk += csvLine(records[next]!);
      controller.enqueue(encoder.encode(chunk));
    },
  });
}
