/**
 * Records the service writes itself (share changes, refused playback sessions, blocked clients),
 * on the same hash chain as client events: `credential` is `server`, the "player session" is this
 * service instance's own (a UUID, with `seq` counting its records, so a gap shows a lost one), and
 * both clocks are the server's.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEventData, AuditEventType } from '../../protocol/audit-events.js';
import type { AuditStore } from './store.js';

export interface ServerAuditEvent<T extends AuditEventType = AuditEventType> {
  type: T;
  /** `sub` of whoever acted (or was refused). */
  actor: string;
  /** The org whose admins read the record: the video's org where there is a video. */
  org: string;
  video: string | null;
  data: AuditEventData<T>;
}

export type ServerAuditLog = (events: readonly ServerAuditEvent[]) => Promise<void>;

export function serverAuditLog(store: AuditStore | undefined, clock: () => number = Date.now): ServerAuditLog {
  if (!store) return async () => undefined;
  const session = randomUUID();
  let seq = 0;
  return async (events) => {
    if (events.length === 0) return;
    const now = clock();
    await store.append(
      events.map((event) => ({
        id: randomUUID(),
        type: event.type,
        actor: event.actor,
        org: event.org,
        video: event.video,
        playbackSession: null,
        credential: 'server' as const,
        playerSession: session,
        playerSeq: (seq += 1),
        clientTime: now,
        position: null,
        data: Object.fromEntries(Object.entries(event.data).filter(([, value]) => value !== undefined)) as Record<string, string | number | boolean>,
      })),
      now,
    );
  };
}
