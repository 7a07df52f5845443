/**
 * Structured JSON logs (pino): one line per request — method, path, status, duration — and one per
 * unexpected error. Nothing secret reaches a line: no header, no query string, no body is logged,
 * and any string that looks like a JWT is replaced before the line is written (defence in depth
 * against an error message that quotes one).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Handler } from '../context.js';

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(JWT, '[redacted token]');
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]));
}

/** A JSON logger with `fields` on every line (e.g. `{ replica: 1 }`); stdout unless `destination`. */
export function createLogger(fields: Record<string, string | number> = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      base: { pid: process.pid, ...fields },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        // The message string too (`logger.error(obj, message)`).
        logMethod(args, method) {
          method.apply(this, args.map((arg) => scrub(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** What of an error goes into a line: its kind, code and message, never its `data` or `cause`. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return { name: error.name, message: error.message, code: (error as { code?: unknown }).code, stack: error.stack };
}

/** For the service's `log` option: unexpected errors as JSON lines. */
export function errorLog(logger: Logger): (error: unknown) => void {
  return (error) => logger.error({ err: describe(error) }, 'unexpected error');
}

/** Logs every request the handler answers (or fails on). */
export function withRequestLog(handler: Handler, logger: Logger): Handler {
  return async (request) => {
    const started = performance.now();
    const line = { method: request.method, path: new URL(request.url).pathname };
    try {
      const response = await handler(request);
      logger.info({ ...line, status: response.status, ms: Math.round(performance.now() - started) }, 'request');
      return response;
    } catch (error) {
      logger.error({ ...line, err: describe(error), ms: Math.round(performance.now() - started) }, 'request failed');
      throw error;
    }
  };
}
