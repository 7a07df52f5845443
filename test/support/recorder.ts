/**
 * End-to-end helpers for `<veil-recorder>` on the demo's `/record` page: sign in, wait for a
 * state, record for a while, and read back what the page persisted in IndexedDB.
 */
import type { Page } from 'puppeteer-core';
import { demoOrigin, elementState, signInAt } from './browser.js';

/** Opens `/record` (no countdown), signs in at the dev IdP, and waits for the recorder. */
export async function signInToRecord(page: Page, login: string, origin = demoOrigin()): Promise<void> {
  await signInAt(page, '/record?countdown=0', login, { origin });
  await page.waitForSelector('veil-recorder');
}

export function recorderState(page: Page, states: string[], timeout = 60_000): Promise<string> {
  return elementState(page, 'veil-recorder', states, timeout);
}

/** Starts recording (once the element is defined: the tag is in the HTML before the module scripts that define it have run); resolves with the page's clock when recording began. */
export function startRecording(page: Page): Promise<number> {
  return page.evaluate(async () => {
    await customElements.whenDefined('veil-recorder');
    await document.querySelector('veil-recorder')!.start();
    return Date.now();
  });
}

/** Waits until the recorder has been recording for `seconds` (the recording's length is the point). */
export async function recordFor(page: Page, startedAt: number, seconds: number): Promise<void> {
  await page.waitForFunction((until: number) => Date.now() >= until, { timeout: 60_000, polling: 200 }, startedAt + seconds * 1000);
}

export function recorderVideoId(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('veil-recorder')!.getAttribute('video-id'));
}

interface RecorderDb {
  /** The stored recordings' uploads (URL, upload token, video id), in store order. */
  uploads: Array<{ url: string; token: string; videoId: string } | undefined>;
  /** Chunks of all recordings, and how many recordings they belong to. */
  chunks: number;
  recordingsWithChunks: number;
  bytes: number;
  /** SHA-256 (hex) of all chunks concatenated in order. */
  sha256: string;
}

/** What the page's recorder keeps in IndexedDB (`veil-recordings`), read in the page. */
function recorderDb(page: Page): Promise<RecorderDb> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('veil-recordings');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    // No named helpers in here: tsx would wrap them in a `__name` call the page does not have.
    const [recordings, chunks] = (await Promise.all(
      ['recordings', 'chunks'].map(
        (store) =>
          new Promise<unknown[]>((resolve, reject) => {
            const request = db.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          }),
      ),
    )) as [Array<{ upload?: { url: string; token: string; videoId: string } }>, Array<{ recordingId: string; seq: number; data: ArrayBuffer }>];
    db.close();
    chunks.sort((a, b) => a.seq - b.seq);
    const whole = new Blob(chunks.map((chunk) => chunk.data));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await whole.arrayBuffer()));
    return {
      uploads: recordings.map((recording) => recording.upload),
      chunks: chunks.length,
      recordingsWithChunks: new Set(chunks.map((chunk) => chunk.recordingId)).size,
      bytes: whole.size,
      sha256: Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join(''),
    };
  });
}

/** What the page persisted of its one recording: the chunks' count and the SHA-256 (hex) of their concatenation, in order. */
export async function persistedRecording(page: Page): Promise<{ chunks: number; bytes: number; sha256: string }> {
  const { chunks, recordingsWithChunks, bytes, sha256 } = await recorderDb(page);
  if (recordingsWithChunks !== 1) throw new Error(`expected one recording's chunks, found ${recordingsWithChunks} recordings`);
  return { chunks, bytes, sha256 };
}

/** The page's stored upload of its one recording (URL and upload token), as the recorder keeps it. */
export async function storedUpload(page: Page): Promise<{ url: string; token: string; videoId: string }> {
  const { uploads } = await recorderDb(page);
  if (uploads.length !== 1 || !uploads[0]) throw new Error(`expected one recording with an upload, found ${uploads.length}`);
  return uploads[0];
}
