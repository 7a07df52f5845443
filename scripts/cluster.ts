/**
 * `npm run start:cluster`: the demo as a cluster on this machine — a throwaway PostgreSQL, a local
 * S3-compatible store (s3rver), the dev IdP, two replicas of the demo on them, and nginx in front
 * (round-robin, no stickiness) at `http://127.0.0.1:8080` (`PORT` overrides). Prints
 * `replica <n> pid <pid>` per replica, then the demo's ready line. Everything is fresh per run
 * (under `<VEIL_DATA_DIR>/cluster`; `--resume`: the previous run's PostgreSQL, S3 and KEK again)
 * and stopped on Ctrl-C / SIGTERM. The e2e tests start it in-process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoConfig } from '../demo/config.js';
import { createDevIdp } from '../demo/idp/index.js';
import { demoIdpOptions } from '../demo/server.js';
import { startNginx, type Nginx } from './cluster/nginx.js';
import { freePort } from './cluster/ports.js';
import { startPostgres, type PostgresCluster } from './cluster/postgres.js';
import { startS3, type S3Server } from './cluster/s3.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ClusterOptions {
  /** nginx's port; 0: a free one. Default `PORT` or 8080. */
  port?: number;
  replicas?: number;
  /** Everything the cluster writes (wiped first); default `<VEIL_DATA_DIR or .cache>/cluster`. */
  dir?: string;
  /** Start on what a stopped cluster left in `dir` (PostgreSQL, S3, the KEK) instead of wiping it. */
  resume?: boolean;
  /** Extra environment for the replicas (e.g. `VEIL_TOKEN_TTL`). */
  env?: Record<string, string>;
  /** Where replica output goes, line by line; default: stdout with a `[replica n]` prefix. */
  log?: (replica: number, line: string) => void;
}

export interface Replica {
  n: number;
  port: number;
  readonly pid: number;
  /** Every line it printed (its JSON request log among them), across restarts. */
  lines: string[];
  /** Sends `signal`; resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after `kill`); resolves once it listens. */
  restart(): Promise<void>;
}

export interface Cluster {
  origin: string;
  replicas: Replica[];
  postgres: PostgresCluster;
  s3: S3Server;
  nginx: Nginx;
  /** The replicas' shared environment (database URL, KEK, S3 settings). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const started = performance.now();
  const dir = resolve(options.dir ?? join(process.env.VEIL_DATA_DIR || join(ROOT, '.cache'), 'cluster'));
  if (!options.resume) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The KEK outlives a run with the data it wraps (the demo's stand-in for a secret store).
  const kekFile = join(dir, 'kek');
  if (options.resume && !existsSync(kekFile)) throw new Error(`nothing to resume in ${dir} (no KEK file)`);
  if (!existsSync(kekFile)) writeFileSync(kekFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const port = options.port || (options.port === 0 ? await freePort() : Number(process.env.PORT || 8080));
  const origin = `http://127.0.0.1:${port}`;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stops.splice(0).reverse()) await close().catch((error: unknown) => console.error(error));
  };
  try {
    const postgres = await startPostgres({ dir: join(dir, 'postgres') });
    stops.push(() => postgres.stop());
    const s3 = await startS3({ dir: join(dir, 's3') });
    stops.push(() => s3.stop());

    // One dev IdP for all replicas (its sessions live in its memory); they get its public keys.
    const config = demoConfig({ port });
    const idp = await createDevIdp(demoIdpOptions(config));
    const idpServer = await listen(createServer((req, res) => idp.handle(req, res)));
    stops.push(() => close(idpServer));
    const jwksFile = join(dir, 'idp-jwks.json');
    writeFileSync(jwksFile, JSON.stringify(idp.jwks));

    const env: Record<string, string> = {
      VEIL_PUBLIC_URL: origin,
      VEIL_DATABASE_URL: postgres.url,
      VEIL_KEK: readFileSync(kekFile, 'utf8'),
      ...s3.env,
      VEIL_IDP_JWKS_FILE: jwksFile,
      VEIL_TRUSTED_PROXIES: '127.0.0.1,::ffff:127.0.0.1',
      VEIL_CACHE_DIR: config.cacheDir,
      VEIL_LOG: 'json',
      ...options.env,
    };
    const log = options.log ?? ((n, line) => console.log(`[replica ${n}] ${line}`));
    const replicas: Replica[] = [];
    // One after the other: the first registers the samples (media into S3, keys, records).
    for (let n = 1; n <= (options.replicas ?? 2); n++) {
      // With the database and media elsewhere, the data directory holds only uploads: one for all
      // (a shared volume in production), so an upload resumes through any replica.
      const replica = await startReplica(n, await freePort(), { ...env, VEIL_DATA_DIR: join(dir, 'shared') }, log);
      stops.push(() => replica.kill('SIGTERM'));
      replicas.push(replica);
    }
    const nginx = await startNginx({ dir: join(dir, 'nginx'), port, replicas: replicas.map((replica) => `127.0.0.1:${replica.port}`), idp: `127.0.0.1:${(idpServer.address() as { port: number }).port}` });
    stops.push(() => nginx.stop());
    await waitReady(`${origin}/readyz`);
    for (const replica of replicas) console.log(`replica ${replica.n} pid ${replica.pid}`);
    console.log(`Veil demo ready at ${origin} (cluster of ${replicas.length} replicas behind nginx, started in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return { origin, replicas, postgres, s3, nginx, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startReplica(n: number, port: number, env: Record<string, string>, log: (n: number, line: string) => void): Promise<Replica> {
  let child: ChildProcess;
  const lines: string[] = [];
  const spawnIt = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'demo/server.ts'], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), VEIL_REPLICA: String(n) }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      const onData = (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          lines.push(line);
          log(n, line);
          if (line.startsWith('Veil replica listening on')) resolve();
        }
      };
      child.stdout!.setEncoding('utf8').on('data', onData);
      child.stderr!.setEncoding('utf8').on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`replica ${n} exited (${code ?? signal}) before listening`)));
    });
  };
  await spawnIt();
  return {
    n,
    port,
    get pid() {
      return child.pid!;
    },
    lines,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
    restart: spawnIt,
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve(server)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await fetch(url).then((response) => response.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startCluster({ resume: process.argv.includes('--resume') }).then(
    (cluster) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        process.once(signal, () => {
          console.log(`[cluster] ${signal}: stopping`);
          void cluster.stop().then(() => process.exit(0));
        });
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
