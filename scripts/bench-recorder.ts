/**
 * Part of the benchmark: the recorder's stop → `ready`, server side. Everything but the last
 * chunk is uploaded while recording, so once recording stops what is left is the final PATCH and
 * the processing job: measured here from the final PATCH to the job's `ready`, through the real
 * service (tus route, queue, sniff, ffprobe, convert, CENC DASH packaging, keys), for a 720p
 * recording as the recorder makes it — fragmented MP4 H.264 + Opus (the remux path) and WebM
 * VP8 + Opus (the transcode path). Figures: seconds, the share of the recording's duration, and
 * the ratio to the baseline measured in the same run: one plain ffmpeg conversion of the same
 * file to an MP4 with AAC audio (what a pipeline without validation, packaging or encryption does).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordingTestService } from '../test/support/recordings.js';
import type { BenchPart } from './bench-part.js';
import { RECORDER_BROWSER_ROWS, recorderBrowserBench } from './bench-recorder-browser.js';
import { figure, ratioFigure, type Figures, type Row } from './bench-stats.js';

const exec = promisify(execFile);
const SIZE = '1280x720';
const PATHS = { remux: 'mp4', transcode: 'webm' } as const;
const WHILE_RECORDING_PATCH = 4 * 1024 * 1024;

/** Final PATCH → job `ready` (ms) for one recording. */
async function stopToReady(t: RecordingTestService, bytes: Uint8Array): Promise<number> {
  const { TusTestClient } = await import('../test/support/recordings.js');
  const client = new TusTestClient(t.service);
  const created = await client.create(await t.token('alice'));
  if (created.status !== 201) throw new Error(`bench-recorder: creation answered ${created.status}`);
  // All but the last ~second went while recording (in PATCHes under the 16 MiB limit).
  const last = Math.max(0, bytes.length - 400_000);
  for (let offset = 0; offset < last; offset += WHILE_RECORDING_PATCH) {
    const part = bytes.subarray(offset, Math.min(last, offset + WHILE_RECORDING_PATCH));
    if ((await client.patch(offset, part)).status !== 204) throw new Error(`bench-recorder: the PATCH at ${offset} failed`);
  }
  const t0 = performance.now();
  const final = await client.patch(last, bytes.subarray(last), { 'upload-length': String(bytes.length) });
  if (final.status !== 204) throw new Error(`bench-recorder: the final PATCH answered ${final.status}`);
  for (;;) {
    const job = await t.storage.recordings.getJob(client.videoId);
    if (job?.state === 'ready') return performance.now() - t0;
    if (job?.state === 'failed') throw new Error(`bench-recorder: processing failed with ${job.code}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The baseline: one plain ffmpeg conversion of the same file to MP4 + AAC (ms). */
async function plainConversion(file: string, transcode: boolean, out: string): Promise<number> {
  const video = transcode ? ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'] : ['-c:v', 'copy'];
  const t0 = performance.now();
  await exec('ffmpeg', ['-v', 'error', '-y', '-i', file, ...video, '-c:a', 'aac', '-b:a', '128k', out]);
  return performance.now() - t0;
}

/** `seconds` of 720p per recording (the figure is for 60 s); `runs` interleaved runs per path. */
export async function recorderProcessingBench(runs: number, seconds: number, log: (line: string) => void = () => {}): Promise<Figures> {
  // Loaded here, not at the top: the test support's storage chain registers a `node:test` hook
  // at import, whose async-hook bookkeeping costs every promise in the process ~8 % of the token
  // service's server thread, parts measured before this one included (issue 16).
  const { recordingFixture, startRecordingService } = await import('../test/support/recordings.js');
  const work = await mkdtemp(join(tmpdir(), 'veil-bench-recorder-'));
  const t = await startRecordingService({ quota: { secondsPerUser: Number.MAX_SAFE_INTEGER, concurrentUploads: 1000, bytesPerUser: Number.MAX_SAFE_INTEGER } });
  const figures: Figures = {};
  try {
    for (const [path, kind] of Object.entries(PATHS) as Array<[keyof typeof PATHS, (typeof PATHS)[keyof typeof PATHS]]>) {
      const bytes = await recordingFixture(kind, seconds, { size: SIZE });
      const file = join(work, `recording.${kind}`);
      await writeFile(file, bytes);
      const veil: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < runs; i++) {
        plain.push(await plainConversion(file, path === 'transcode', join(work, 'plain.mp4')));
        veil.push(await stopToReady(t, bytes));
        log(`recorder ${path} run ${i + 1}: stop → ready ${(veil.at(-1)! / 1000).toFixed(2)} s, plain ffmpeg ${(plain.at(-1)! / 1000).toFixed(2)} s`);
      }
      figures[`recorder.${path}.ready_s`] = figure(veil.map((ms) => ms / 1000), 2);
      figures[`recorder.${path}.plain_s`] = figure(plain.map((ms) => ms / 1000), 2);
      figures[`recorder.${path}.of_duration`] = figure(veil.map((ms) => ms / 1000 / seconds), 3);
      figures[`recorder.${path}.ratio`] = ratioFigure(veil, plain);
    }
    return figures;
  } finally {
    await t.close();
    await rm(work, { recursive: true, force: true });
  }
}

const ROWS: readonly Row[] = (['remux', 'transcode'] as const).flatMap((path) => [
  {
    label: `Recorder: stop → \`ready\`, 60 s of 720p, ${path === 'remux' ? 'remux (H.264 fMP4)' : 'transcode (VP8 WebM)'}; baseline one plain ffmpeg conversion`,
    veil: `recorder.${path}.ready_s`,
    baseline: `recorder.${path}.plain_s`,
    ratio: `recorder.${path}.ratio`,
    unit: 's',
  },
  { label: `  as a share of the recording's duration`, veil: `recorder.${path}.of_duration` },
]);

/** 60 s recordings in a full run (the figure), 4 s in a smoke run; then the browser side (bench-recorder-browser.ts). */
export const recorderPart: BenchPart = {
  name: 'recorder',
  run: async (context) => ({ ...(await recorderProcessingBench(context.runs, context.smoke ? 4 : 60, context.log)), ...(await recorderBrowserBench(context)) }),
  rows: [...ROWS, ...RECORDER_BROWSER_ROWS],
};
