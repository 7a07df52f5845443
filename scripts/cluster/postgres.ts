/**
 * A throwaway PostgreSQL cluster for tests and `npm run start:cluster`: `initdb` into a fresh
 * directory (or, given a `dir` that already holds one, that cluster again: a restart on existing
 * data), `postgres` on a free TCP port of 127.0.0.1, trust authentication (nothing else can reach
 * it), durability off (a clean shutdown still writes everything; a crash may lose the data, which
 * is throwaway). PostgreSQL refuses to run as root, so under root both run as the `postgres` user
 * through `runuser` — in a directory that user can reach (see `reachableByPostgres`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface PostgresCluster {
  /** `postgres://veil@127.0.0.1:<port>/veil` */
  url: string;
  port: number;
  /** Creates a database of its own (e.g. one per test) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where Debian puts the server binaries (`/usr/lib/postgresql/<major>/bin`), newest first; or `PG_BIN`. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = majors.map((major) => join(root, major, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian package `postgresql`), and PG_BIN is unset.');
  return found;
}

const asRoot = userInfo().uid === 0;

/** The command line, run as `postgres` when we are root. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startPostgres(options: { dir?: string; port?: number } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = reachableByPostgres(options.dir ?? mkdtempSync(join(tmpdir(), 'veil-pg-')));
  const data = join(dir, 'data');
  const existing = existsSync(join(data, 'PG_VERSION'));
  if (!existing) {
    const [initCommand, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'veil', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N']);
    const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }

  const port = options.port ?? (await freePort());
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
  };
  const [command, args] = asPostgres(join(bin, 'postgres'), ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
  const url = `postgres://veil@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(url, child, () => log);
  if (!existing) await query(url, 'CREATE DATABASE veil');

  let stopped: Promise<void> | undefined;
  return {
    url: databaseUrl(url, 'veil'),
    port,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`not a plain database name: ${name}`);
      await query(url, `CREATE DATABASE ${name}`);
      return databaseUrl(url, name);
    },
    stop: () => (stopped ??= stop(child, options.dir ? undefined : dir)),
  };
}

function databaseUrl(url: string, name: string): string {
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/**
 * `dir`, created (and under root handed to `postgres`) — unless under root the `postgres` user
 * cannot traverse its parents (a checkout in a 0700 `mktemp -d` directory): then a directory of
 * the system temp dir named after `dir`, so that a restart on the same `dir` finds the same data.
 */
function reachableByPostgres(dir: string): string {
  mkdirSync(dir, { recursive: true });
  if (!asRoot) return dir;
  chownSync(dir, postgresUid(), postgresGid());
  if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]).status === 0) return dir;
  const stand = join(tmpdir(), `veil-pg-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
  mkdirSync(stand, { recursive: true });
  chownSync(stand, postgresUid(), postgresGid());
  return stand;
}

function postgresUid(): number {
  return Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
}

function postgresGid(): number {
  return Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
}

async function query(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log()}`);
    try {
      await query(url, 'SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s: ${log()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Fast shutdown (SIGINT: roll back open transactions, close connections), then the directory goes. */
async function stop(child: ChildProcess, removeDir: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid!, 'SIGINT');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (removeDir) rmSync(removeDir, { recursive: true, force: true });
}
