/** Runs ffmpeg/ffprobe on hostile input: no stdin, a hard time limit, bounded output kept. */
import { spawn } from 'node:child_process';

export interface RunOptions {
  timeoutMs: number;
  /** Called with each line of stdout (ffmpeg `-progress pipe:1`). */
  onLine?: (line: string) => void;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const MAX_KEPT = 1 << 20;

export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_KEPT) stdout += chunk;
      if (!options.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not be started (is it installed?): ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** How far an ffmpeg `-progress` line says it got through `duration` seconds (0–1), if it says. */
export function progressFraction(line: string, duration: number | undefined): number | undefined {
  const match = /^out_time_us=(\d+)$/.exec(line);
  return match && duration ? Math.min(1, Number(match[1]) / 1e6 / duration) : undefined;
}
