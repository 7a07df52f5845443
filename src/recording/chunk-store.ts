/**
 * The recorder's local chunk store (IndexedDB through `idb`): every MediaRecorder chunk is written
 * here before any network use, with the upload's state beside it, so a reload or a closed tab
 * loses nothing that was persisted. Chunks are deleted only once the server accepted the whole
 * upload. Nothing holds the recording in memory: readers fetch one chunk at a time.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { sha256Init, sha256Update, type Sha256State } from './sha256.js';

export interface StoredRecording {
  /** Local id (random UUID). */
  id: string;
  /** `sub` of the viewer who recorded it: only they recover it. */
  owner: string;
  /** The Veil API it uploads to. */
  api: string;
  mimeType: string;
  title: string;
  startedAt: number;
  /** Bytes persisted so far (the next chunk's offset). */
  bytes: number;
  chunks: number;
  /** SHA-256 of the bytes persisted so far, moved on with every chunk (the whole recording's, once finished). */
  hash: Sha256State;
  /** Set when recording ended (stop, or recovery after an interruption): the upload's length. */
  finalLength?: number;
  /** Set once the tus upload exists. */
  upload?: StoredUpload;
}

export interface StoredUpload {
  url: string;
  token: string;
  videoId: string;
  /** When (epoch ms, this device's clock) to renew the upload token before it expires. */
  renewAt?: number;
}

export interface StoredChunk {
  recordingId: string;
  seq: number;
  /** Byte offset of this chunk in the recording. */
  offset: number;
  data: ArrayBuffer;
}

interface RecorderDb extends DBSchema {
  recordings: { key: string; value: StoredRecording };
  chunks: { key: [string, number]; value: StoredChunk; indexes: { byOffset: [string, number] } };
}

export const CHUNK_DB_NAME = 'veil-recordings';

export class ChunkStore {
  #db?: Promise<IDBPDatabase<RecorderDb>>;

  constructor(readonly name = CHUNK_DB_NAME) {}

  #open(): Promise<IDBPDatabase<RecorderDb>> {
    this.#db ??= openDB<RecorderDb>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('recordings', { keyPath: 'id' });
        const chunks = db.createObjectStore('chunks', { keyPath: ['recordingId', 'seq'] });
        chunks.createIndex('byOffset', ['recordingId', 'offset']);
      },
    });
    return this.#db;
  }

  async create(recording: Omit<StoredRecording, 'bytes' | 'chunks' | 'hash'>): Promise<StoredRecording> {
    const stored: StoredRecording = { ...recording, bytes: 0, chunks: 0, hash: sha256Init() };
    await (await this.#open()).put('recordings', stored);
    return stored;
  }

  async get(id: string): Promise<StoredRecording | undefined> {
    return (await this.#open()).get('recordings', id);
  }

  /** The viewer's recordings not yet accepted by the server, oldest first. */
  async unfinished(owner: string, api: string): Promise<StoredRecording[]> {
    const all = await (await this.#open()).getAll('recordings');
    return all.filter((recording) => recording.owner === owner && recording.api === api).sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Appends a chunk and moves the recording's length and digest, in one transaction. */
  async append(id: string, data: ArrayBuffer): Promise<StoredRecording> {
    const db = await this.#open();
    const tx = db.transaction(['recordings', 'chunks'], 'readwrite');
    const recording = await tx.objectStore('recordings').get(id);
    if (!recording) throw new Error(`chunk store: no recording ${id}`);
    await tx.objectStore('chunks').put({ recordingId: id, seq: recording.chunks, offset: recording.bytes, data });
    // Hashing is synchronous, so the transaction stays open around it.
    const hash = sha256Update(recording.hash, new Uint8Array(data));
    const updated = { ...recording, bytes: recording.bytes + data.byteLength, chunks: recording.chunks + 1, hash };
    await tx.objectStore('recordings').put(updated);
    await tx.done;
    return updated;
  }

  async update(id: string, changes: Partial<Pick<StoredRecording, 'finalLength' | 'upload'>>): Promise<StoredRecording> {
    const db = await this.#open();
    const tx = db.transaction('recordings', 'readwrite');
    const recording = await tx.store.get(id);
    if (!recording) throw new Error(`chunk store: no recording ${id}`);
    const updated = { ...recording, ...changes };
    await tx.store.put(updated);
    await tx.done;
    return updated;
  }

  /** The chunk holding byte `offset`, or undefined when none is stored (yet). */
  async chunkAt(id: string, offset: number): Promise<StoredChunk | undefined> {
    const db = await this.#open();
    // The last chunk starting at or before `offset`.
    const cursor = await db.transaction('chunks').store.index('byOffset').openCursor(IDBKeyRange.bound([id, 0], [id, offset]), 'prev');
    const chunk = cursor?.value;
    return chunk && offset < chunk.offset + chunk.data.byteLength ? chunk : undefined;
  }

  /**
   * The recording so far as one Blob of `type`, for a local preview. Each chunk becomes a Blob as
   * the cursor passes it, so at most one chunk is in script memory at a time: the Blob's bytes live
   * in the browser's blob storage (paged to disk when large), not in the page's heap. Only the
   * `chunks` store is read, so the upload's writes to `recordings` never wait for it; deleting the
   * chunks (after acceptance) waits for this transaction, so the preview is always whole.
   */
  async blob(id: string, type: string): Promise<Blob> {
    const db = await this.#open();
    const parts: Blob[] = [];
    let cursor = await db.transaction('chunks').store.openCursor(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
    while (cursor) {
      parts.push(new Blob([cursor.value.data]));
      cursor = await cursor.continue();
    }
    return new Blob(parts, { type });
  }

  /** Removes a recording and its chunks (once the server accepted it, or the viewer discarded it). */
  async delete(id: string): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(['recordings', 'chunks'], 'readwrite');
    await tx.objectStore('chunks').delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
    await tx.objectStore('recordings').delete(id);
    await tx.done;
  }
}
