/**
 * End-to-end helpers for `<veil-recorder>` on the demo's `/record` page: sign in, wait for a
 * state, record for a while, and read back what the page persisted in IndexedDB.
 */
import type { Page } from 'puppeteer-core';
import { demoOrigin, signInAt } from './browser.js';

/** Opens `/record` (no countdown), signs in at the dev IdP, and waits for the recorder. */
export async function signInToRecord(page: Page, login: string, origin = demoOrigin()): Promise<void> {
  await signInAt(page, '/record?countdown=0', login, { origin });
  await page.waitForSelector('veil-recorder');
}

export async function recorderState(page: Page, states: string[], timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    (wanted: string[]) => {
      const state = document.querySelector('veil-recorder')?.getAttribute('state');
      return state && wanted.includes(state) ? state : undefined;
    },
    { timeout, polling: 100 },
    states,
  );
  return (await handle.jsonValue()) as string;
}

/** Starts recording; resolves with the page's clock when recording began. */
export function startRecording(page: Page): Promise<number> {
  return page.evaluate(async () => {
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

/** What the page persisted of its one recording: the chunks' count and the SHA-256 (hex) of their concatenation, in order. */
export function persistedRecording(page: Page): Promise<{ chunks: number; bytes: number; sha256: string }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('veil-recordings');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const chunks = await new Promise<Array<{ recordingId: string; seq: number; data: ArrayBuffer }>>((resolve, reject) => {
      const request = db.transaction('chunks').objectStore('chunks').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    if (new Set(chunks.map((chunk) => chunk.recordingId)).size !== 1) throw new Error(`expected one recording's chunks, found ${chunks.length} chunks`);
    chunks.sort((a, b) => a.seq - b.seq);
    const whole = new Blob(chunks.map((chunk) => chunk.data));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await whole.arrayBuffer()));
    return { chunks: chunks.length, bytes: whole.size, sha256: Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('') };
  });
}

/** The page's stored upload of its one recording (URL and upload token), as the recorder keeps it. */
export function storedUpload(page: Page): Promise<{ url: string; token: string; videoId: string }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('veil-recordings');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const recordings = await new Promise<Array<{ upload?: { url: string; token: string; videoId: string } }>>((resolve, reject) => {
      const request = db.transaction('recordings').objectStore('recordings').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    const upload = recordings[0]?.upload;
    if (recordings.length !== 1 || !upload) throw new Error(`expected one recording with an upload, found ${recordings.length}`);
    return upload;
  });
}
