/**
 * The demo deployment's settings: everything has an embedded default so `npm start` needs nothing.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PLAYBACK_TOKEN_TTL_SECONDS, MAX_PLAYBACK_TOKEN_TTL_SECONDS } from '../src/protocol/defaults.js';
import { UPLOAD_TOKEN_TTL_SECONDS } from '../src/protocol/recording.js';
import { DEFAULT_LTI_SESSION_TTL_SECONDS } from '../src/server/lti/session-token.js';
import { DEFAULT_UPLOAD_QUOTA } from '../src/server/uploads/quota.js';

export interface DemoConfig {
  port: number;
  host: string;
  origin: string;
  /**
   * Other page origins that may use this demo (env `VEIL_ALLOWED_ORIGINS`, comma-separated): the
   * API's CORS allowlist, and redirect / post-logout targets of the dev IdP's client `veil-demo`.
   */
  allowedOrigins: string[];
  issuer: string;
  apiResource: string;
  /** The demo LMS's origin: this server reached as `localhost`, another site than `origin` (demo contract). */
  lmsOrigin: string;
  tokenTtlSeconds: number;
  /** Lifetime of LTI session tokens, seconds (env `VEIL_LTI_SESSION_TTL`, default 300): a learner removed from the roster stops within it. */
  ltiSessionTtlSeconds: number;
  /** Everything the demo stores (env `VEIL_DATA_DIR`, default `.cache/`); empty = initial state. */
  dataDir: string;
  /** Videos, content keys, signing keys (env `VEIL_DB`, default `<dataDir>/veil.sqlite`). */
  db: string;
  /** The key-encryption key, base64 (env `VEIL_KEK`); unset: a generated key file beside `db`. */
  kek?: string;
  /** Former KEKs still unwrapping stored keys during a rotation (env `VEIL_KEK_PREVIOUS`, comma-separated). */
  previousKeks: string[];
  /** Served media, one directory per video (`<dataDir>/media`). */
  mediaDir: string;
  /** The generated sample media, copied into `mediaDir` on first start (env `VEIL_CACHE_DIR`, default `<dataDir>/veil-media`). */
  cacheDir: string;
  /** tus uploads of recordings until processed (`<dataDir>/uploads`). */
  uploadDir: string;
  /** Parallel processing jobs (env `VEIL_WORKERS`, default 1). */
  workers: number;
  /** Lifetime of recorder upload tokens, seconds (env `VEIL_UPLOAD_TOKEN_TTL`, default 600). */
  uploadTokenTtlSeconds: number;
  /** Seconds of processed recordings per user (env `VEIL_RECORDING_SECONDS_PER_USER`, default 10 h): over it a job ends `failed`/`UPLOAD_QUOTA_EXCEEDED`. */
  recordingSecondsPerUser: number;
  /** The audit trail's SQLite file (env `VEIL_AUDIT_DB`, default `<dataDir>/veil-audit.sqlite`). */
  auditDb: string;
  distDir: string;
  publicDir: string;
  org: string;
  /** Scale-out (README "Deploy"): set on replicas behind a load balancer, unset for one machine. */
  cluster: ClusterConfig;
}

export interface ClusterConfig {
  /** The origin viewers reach (the load balancer's), env `VEIL_PUBLIC_URL`; unset: the demo's own. */
  publicUrl?: string;
  /** PostgreSQL for every repository, the audit trail and rate limits (env `VEIL_DATABASE_URL`). */
  databaseUrl?: string;
  /** Media on an S3-compatible store (env `VEIL_S3_BUCKET` and the other `VEIL_S3_*`). */
  s3?: { endpoint?: string; region?: string; bucket: string; prefix?: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  /** The dev IdP runs elsewhere (`npm run start:cluster` runs one for all replicas): its public keys (env `VEIL_IDP_JWKS_FILE`). */
  idpJwksFile?: string;
  /** Peers whose `X-Forwarded-For` names the client (env `VEIL_TRUSTED_PROXIES`, comma-separated addresses). */
  trustedProxies: string[];
  /** JSON logs (pino) instead of text lines (env `VEIL_LOG=json`). */
  jsonLogs: boolean;
  /** This replica's number on each log line (env `VEIL_REPLICA`). */
  replica?: number;
}

function list(name: string): string[] {
  return (process.env[name] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** The scale-out settings from the environment (all optional: one machine needs none). */
function clusterConfig(): ClusterConfig {
  const env = (name: string) => process.env[name] || undefined;
  const bucket = env('VEIL_S3_BUCKET');
  const accessKeyId = env('VEIL_S3_ACCESS_KEY_ID');
  const secretAccessKey = env('VEIL_S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) throw new Error('VEIL_S3_ACCESS_KEY_ID and VEIL_S3_SECRET_ACCESS_KEY go together (or neither: the AWS SDK\'s default credentials).');
  if (env('VEIL_DATABASE_URL') && !env('VEIL_KEK')) throw new Error('VEIL_DATABASE_URL needs VEIL_KEK (base64 of 32 bytes, the same on every replica).');
  const publicUrl = env('VEIL_PUBLIC_URL');
  if (publicUrl !== undefined && new URL(publicUrl).origin !== publicUrl.replace(/\/$/, '')) throw new Error(`VEIL_PUBLIC_URL must be an origin (scheme, host, port), got "${publicUrl}".`);
  return {
    publicUrl: publicUrl?.replace(/\/$/, ''),
    databaseUrl: env('VEIL_DATABASE_URL'),
    s3: bucket
      ? { endpoint: env('VEIL_S3_ENDPOINT'), region: env('VEIL_S3_REGION'), bucket, prefix: env('VEIL_S3_PREFIX'), credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined }
      : undefined,
    idpJwksFile: env('VEIL_IDP_JWKS_FILE'),
    trustedProxies: list('VEIL_TRUSTED_PROXIES'),
    jsonLogs: process.env.VEIL_LOG === 'json',
    replica: env('VEIL_REPLICA') === undefined ? undefined : integer('VEIL_REPLICA', 1, 1, 64),
  };
}

/** An integer setting from the environment within bounds; anything else stops start-up with its name. */
export function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

/** A comma-separated list of origins (`http://localhost:5173`); anything that is not exactly an origin is refused. */
function origins(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let origin: string | undefined;
      try {
        origin = new URL(entry).origin;
      } catch {
        // reported below
      }
      if (!origin || origin === 'null' || origin !== entry.replace(/\/$/, '')) {
        throw new Error(`${name} takes comma-separated origins such as http://localhost:5173 (scheme, host, port; no path), got "${entry}".`);
      }
      return origin;
    });
}

/** The settings that name the demo's origin: the issuer and API resource follow the port (or the public URL of a replica). */
function addresses(host: string, port: number, publicUrl?: string): Pick<DemoConfig, 'port' | 'origin' | 'issuer' | 'apiResource' | 'lmsOrigin'> {
  const origin = publicUrl ?? `http://${host}:${port}`;
  // The demo LMS: the same server by the name `localhost`, another site than the tool (demo contract).
  return { port, origin, issuer: `${origin}/idp`, apiResource: `${origin}/api`, lmsOrigin: origin.replace('//127.0.0.1', '//localhost') };
}

/** `config` for a server that listens on `port` (after listening on port 0: the port the OS chose). */
export function atPort(config: DemoConfig, port: number): DemoConfig {
  return { ...config, ...addresses(config.host, port, config.cluster.publicUrl) };
}

/**
 * Settings from the environment; `overrides` let tests run extra instances (other port, TTL,
 * their own data directory). The sample cache follows the environment's data directory, not the
 * override, so extra instances reuse the generated media instead of running ffmpeg again.
 * Port 0 lets the OS choose: `startDemo` then re-derives the origin with `atPort`.
 */
export function demoConfig(overrides: { port?: number; tokenTtlSeconds?: number; ltiSessionTtlSeconds?: number; uploadTokenTtlSeconds?: number; recordingSecondsPerUser?: number; dataDir?: string } = {}): DemoConfig {
  const port = overrides.port ?? integer('PORT', 8080, 1, 65535);
  const host = '127.0.0.1';
  const root = fileURLToPath(new URL('..', import.meta.url));
  const envDataDir = resolve(process.env.VEIL_DATA_DIR || `${root}.cache`);
  const dataDir = overrides.dataDir ?? envDataDir;
  const own = overrides.dataDir === undefined;
  const cluster = clusterConfig();
  return {
    host,
    ...addresses(host, port, cluster.publicUrl),
    allowedOrigins: origins('VEIL_ALLOWED_ORIGINS'),
    tokenTtlSeconds: overrides.tokenTtlSeconds ?? integer('VEIL_TOKEN_TTL', DEFAULT_PLAYBACK_TOKEN_TTL_SECONDS, 1, MAX_PLAYBACK_TOKEN_TTL_SECONDS),
    ltiSessionTtlSeconds: overrides.ltiSessionTtlSeconds ?? integer('VEIL_LTI_SESSION_TTL', DEFAULT_LTI_SESSION_TTL_SECONDS, 1, 3600),
    dataDir,
    db: (own && process.env.VEIL_DB) || join(dataDir, 'veil.sqlite'),
    kek: process.env.VEIL_KEK || undefined,
    previousKeks: (process.env.VEIL_KEK_PREVIOUS ?? '').split(',').map((kek) => kek.trim()).filter(Boolean),
    mediaDir: join(dataDir, 'media'),
    cacheDir: process.env.VEIL_CACHE_DIR || join(envDataDir, 'veil-media'),
    uploadDir: join(dataDir, 'uploads'),
    workers: integer('VEIL_WORKERS', 1, 1, 16),
    uploadTokenTtlSeconds: overrides.uploadTokenTtlSeconds ?? integer('VEIL_UPLOAD_TOKEN_TTL', UPLOAD_TOKEN_TTL_SECONDS, 5, 3600),
    recordingSecondsPerUser: overrides.recordingSecondsPerUser ?? integer('VEIL_RECORDING_SECONDS_PER_USER', DEFAULT_UPLOAD_QUOTA.secondsPerUser, 1, Number.MAX_SAFE_INTEGER),
    auditDb: (own && process.env.VEIL_AUDIT_DB) || join(dataDir, 'veil-audit.sqlite'),
    distDir: `${root}dist`,
    publicDir: `${root}demo/public`,
    org: 'acme',
    cluster,
  };
}
