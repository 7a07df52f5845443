/**
 * A local S3-compatible server (s3rver, from npm) for tests and `npm run start:cluster`: its own
 * process on a free port of 127.0.0.1, data in a fresh directory, one bucket created at start.
 * s3rver accepts the fixed credentials `S3RVER` / `S3RVER`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports.js';

export interface S3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The settings a replica reads (`VEIL_S3_*`). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3(options: { dir?: string; bucket?: string; port?: number } = {}): Promise<S3Server> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'veil-s3-'));
  const bucket = options.bucket ?? 'veil';
  const port = options.port ?? (await freePort());
  const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--configure-bucket', bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const endpoint = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s: ${log}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      log = (log + chunk).slice(-4000);
      if (/listening on/i.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${code}): ${log}`));
    });
  });
  // From here on its request log is noise.
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  let stopped: Promise<void> | undefined;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    bucket,
    ...credentials,
    env: { VEIL_S3_ENDPOINT: endpoint, VEIL_S3_BUCKET: bucket, VEIL_S3_ACCESS_KEY_ID: credentials.accessKeyId, VEIL_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        if (!options.dir) rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
