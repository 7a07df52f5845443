/**
 * Audit events the service writes itself (the recorder's: an upload started, finished, was
 * processed): the actor comes from the verified token that caused them, never from a client.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEventData, AuditEventType } from '../../protocol/audit-events.js';
import type { AuditStore } from './store.js';

export interface ServerAuditEvent<T extends AuditEventType = AuditEventType> {
  type: T;
  actor: string;
  org: string;
  video: string;
  data: AuditEventData<T>;
}

export type ServerAudit = (event: ServerAuditEvent) => Promise<void>;

/** Writes each event as its own one-record session (seq 1); a store failure is logged, not thrown. */
export function serverAudit(store: AuditStore | undefined, log: (error: unknown) => void = console.error): ServerAudit {
  if (!store) return async () => {};
  return async ({ type, actor, org, video, data }) => {
    const now = Date.now();
    await store
      .append([{ id: randomUUID(), type, actor, org, video, playbackSession: null, credential: 'access', playerSession: randomUUID(), playerSeq: 1, clientTime: now, position: null, data: data as Record<string, string | number | boolean> }])
      .then(() => undefined, log);
  };
}
