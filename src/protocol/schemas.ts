/**
 * Request-body schemas (valibot): the server validates every body it reads with these, and the wire
 * types the client sends are checked against them at compile time, so the two cannot drift apart.
 * Small enough for the browser: valibot is tree-shaken to the few actions used here.
 *
 * Messages are written for the integrator reading a 400: `formatIssue` prefixes them with the
 * field's path (`events[2].data.to must be a number`).
 */
import * as v from 'valibot';
import {
  AUDIT_EVENT_TYPES,
  AUDIT_MAX_STRING,
  UUID_PATTERN,
  type AuditBatch,
  type AuditEvent,
  type AuditEventType,
  type AuditFieldKind,
} from './audit-events.js';
import { MAX_TOKEN_LENGTH } from './defaults.js';
import type { PlaybackSessionRequest } from './playback.js';

/** Video ids are path segments and token claims: keep them boring. */
export const VIDEO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** A ClearKey key id: 16 bytes, unpadded base64url. */
export const KID_B64URL_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** Largest media position an event may carry (seconds). */
export const AUDIT_MAX_POSITION = 1e7;

/**
 * The message of an object schema: `missing` names what to say about an absent key (its field's
 * own message, as if it were present but wrong), `unknown` about an extra key, `other` otherwise.
 */
function objectMessage(missing: Record<string, string>, other: string, unknown: (key: string) => string = (key) => `has an unknown field "${key}"`) {
  return (issue: v.BaseIssue<unknown>) => {
    if (issue.expected === 'never') return unknown(String(issue.input));
    const key = /^"(.*)"$/.exec(issue.expected ?? '')?.[1];
    return key !== undefined && missing[key] !== undefined ? missing[key] : other;
  };
}

const token = (message: string) => v.pipe(v.string(message), v.minLength(1, message), v.maxLength(MAX_TOKEN_LENGTH, `is longer than ${MAX_TOKEN_LENGTH} characters`));

// ---------------------------------------------------------------------------------------------
// POST /api/playback-sessions

const VIDEO_ID_MESSAGE = 'must be a string of letters, digits, "-" or "_" (at most 64)';
const PROTOCOLS_MESSAGE = 'must be a list of "dash" and/or "hls"';

export const PlaybackSessionRequestSchema = v.object(
  {
    videoId: v.pipe(v.string(VIDEO_ID_MESSAGE), v.regex(VIDEO_ID_PATTERN, VIDEO_ID_MESSAGE)),
    previousToken: v.optional(token('must be a string')),
    protocols: v.optional(
      v.pipe(v.array(v.picklist(['dash', 'hls'], PROTOCOLS_MESSAGE), PROTOCOLS_MESSAGE), v.minLength(1, PROTOCOLS_MESSAGE), v.maxLength(2, PROTOCOLS_MESSAGE)),
    ),
  },
  objectMessage({ videoId: VIDEO_ID_MESSAGE }, 'must be an object'),
);

// ---------------------------------------------------------------------------------------------
// POST /api/license/:videoId (W3C EME §9.1.3 license request)

const KIDS_MESSAGE = 'needs `kids`: base64url key ids';

export const ClearKeyLicenseRequestSchema = v.object(
  {
    kids: v.pipe(
      v.array(v.pipe(v.string(KIDS_MESSAGE), v.regex(KID_B64URL_PATTERN, KIDS_MESSAGE)), KIDS_MESSAGE),
      v.minLength(1, KIDS_MESSAGE),
      v.maxLength(64, 'asks for more than 64 key ids'),
    ),
    type: v.optional(v.picklist(['temporary', 'persistent-license'], 'must be "temporary" or "persistent-license"')),
  },
  objectMessage({ kids: KIDS_MESSAGE }, 'must be an object'),
);

// ---------------------------------------------------------------------------------------------
// POST /api/audit/events

const KIND_SCHEMAS = {
  string: v.pipe(v.string('must be a string'), v.maxLength(AUDIT_MAX_STRING, `is longer than ${AUDIT_MAX_STRING}`)),
  number: v.pipe(v.number('must be a number'), v.finite('must be finite')),
  boolean: v.boolean('must be a boolean'),
} as const satisfies Record<AuditFieldKind, v.GenericSchema>;

const UUID_MESSAGE = 'must be a lower-case UUID';
const uuid = () => v.pipe(v.string(UUID_MESSAGE), v.regex(UUID_PATTERN, UUID_MESSAGE));
const integerIn = (min: number, max: number, message: string) =>
  v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));

/** Fields a client may send but which the server ignores: identity comes from the token. */
const IGNORED_CLAIMS = { actor: v.optional(v.unknown()), org: v.optional(v.unknown()), video: v.optional(v.unknown()), user: v.optional(v.unknown()), sub: v.optional(v.unknown()) };

function eventSchema<T extends AuditEventType>(type: T) {
  const fields = AUDIT_EVENT_TYPES[type].data as Record<string, AuditFieldKind>;
  const data = Object.fromEntries(Object.entries(fields).map(([name, kind]) => [name, v.optional(KIND_SCHEMAS[kind])]));
  return v.strictObject(
    {
      id: uuid(),
      type: v.literal(type),
      session: uuid(),
      seq: integerIn(1, 1e9, 'must be an integer from 1'),
      clientTime: integerIn(0, 8.64e15, 'must be epoch milliseconds'),
      position: v.nullable(
        v.pipe(v.number('must be null or seconds'), v.finite('must be null or seconds'), v.minValue(0, 'must be null or seconds'), v.maxValue(AUDIT_MAX_POSITION, 'must be null or seconds')),
      ),
      data: v.strictObject(data, objectMessage({}, 'must be an object', () => `is not a field of "${type}"`)),
      ...IGNORED_CLAIMS,
    },
    objectMessage(
      {
        id: UUID_MESSAGE,
        session: UUID_MESSAGE,
        seq: 'must be an integer from 1',
        clientTime: 'must be epoch milliseconds',
        position: 'must be null or seconds',
        data: 'must be an object',
      },
      'is not an object',
    ),
  );
}

const EVENT_TYPES = Object.keys(AUDIT_EVENT_TYPES) as AuditEventType[];

/** One event: the common fields, then `data` checked against its type's fields in the catalogue. */
export const AuditEventSchema = v.variant(
  'type',
  EVENT_TYPES.map(eventSchema) as unknown as [ReturnType<typeof eventSchema>, ...ReturnType<typeof eventSchema>[]],
  // An invalid `type` is reported at `…type` (its path has the key); a non-object at the event.
  (issue) => (issue.path?.length ? `"${String(issue.input)}" is not an audit event type` : 'is not an object'),
);

export const AuditBatchSchema = v.strictObject(
  {
    events: v.pipe(v.array(AuditEventSchema, 'must be a non-empty array'), v.minLength(1, 'must be a non-empty array')),
    credential: v.optional(token('must be a string')),
  },
  objectMessage({ events: 'must be a non-empty array' }, 'must be an object'),
);

// ---------------------------------------------------------------------------------------------
// Messages

/** `events[2].data.to` from an issue's path; '' for the root. */
export function issuePath(issue: Pick<v.BaseIssue<unknown>, 'path'> | { path?: readonly v.IssuePathItem[] | undefined }): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    path += typeof key === 'number' ? `[${key}]` : path === '' ? String(key) : `.${String(key)}`;
  }
  return path;
}

/**
 * One line for the first issue: the field's path, then what is wrong with it. An unknown field
 * names its parent (`events[0] has an unknown field "extra"`); a top-level one reads on its own.
 */
export function formatIssue(issue: v.BaseIssue<unknown>): string {
  // "has an unknown field" speaks of the parent; "is not a field of" of the key itself.
  const ofParent = issue.expected === 'never' && issue.message.startsWith('has an unknown field');
  const path = issuePath(ofParent ? { ...issue, path: issue.path?.slice(0, -1) } : issue);
  if (path === '') return ofParent ? issue.message.replace(/^has an /, '') : `the body ${issue.message}`;
  return `${/^\w+$/.test(path) ? `\`${path}\`` : path} ${issue.message}`;
}

/** Parses `input`; on failure, the formatted first issue. */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown): { ok: true; value: v.InferOutput<S> } | { ok: false; message: string } {
  const result = v.safeParse(schema, input, { abortEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, message: formatIssue(result.issues[0]) };
}

// ---------------------------------------------------------------------------------------------
// The wire types the client writes must be what the schemas accept.

type Assignable<A extends B, B> = A;
export type PlaybackSessionRequestBody = Assignable<PlaybackSessionRequest, v.InferInput<typeof PlaybackSessionRequestSchema>>;
export type AuditBatchBody = Assignable<AuditBatch, { events: AuditEvent[]; credential?: string }>;
export type AuditEventBody = v.InferOutput<typeof AuditEventSchema>;
export type ClearKeyLicenseRequest = v.InferOutput<typeof ClearKeyLicenseRequestSchema>;
