/** One stored audit record as both SQL stores keep it (snake_case columns, `data` as JSON text). */
import type { AuditEventType } from '../../protocol/audit-events.js';
import type { AuditRecord } from './store.js';

export interface Row {
  seq: number;
  id: string;
  type: string;
  actor: string;
  org: string;
  video: string | null;
  playback_session: string | null;
  credential: string;
  player_session: string;
  player_seq: number;
  client_time: number;
  server_time: number;
  position: number | null;
  data: string;
  prev_hash: string;
  hash: string;
}

export function fromRow(row: Row): AuditRecord {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type as AuditEventType,
    actor: row.actor,
    org: row.org,
    video: row.video,
    playbackSession: row.playback_session,
    credential: row.credential as AuditRecord['credential'],
    playerSession: row.player_session,
    playerSeq: row.player_seq,
    clientTime: row.client_time,
    serverTime: row.server_time,
    position: row.position,
    data: JSON.parse(row.data) as AuditRecord['data'],
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
