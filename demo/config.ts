/**
 * The demo deployment's settings: everything has an embedded default so `npm start` needs nothing.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_PLAYBACK_TOKEN_TTL_SECONDS, MAX_PLAYBACK_TOKEN_TTL_SECONDS } from '../src/protocol/defaults.js';

export interface DemoConfig {
  port: number;
  host: string;
  origin: string;
  issuer: string;
  apiResource: string;
  tokenTtlSeconds: number;
  cacheDir: string;
  /** The audit trail's SQLite file (env `VEIL_AUDIT_DB`, default `.cache/veil-audit.sqlite`). */
  auditDb: string;
  distDir: string;
  publicDir: string;
  org: string;
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

/** The settings that name the demo's origin: the issuer and API resource follow the port. */
function addresses(host: string, port: number): Pick<DemoConfig, 'port' | 'origin' | 'issuer' | 'apiResource'> {
  const origin = `http://${host}:${port}`;
  return { port, origin, issuer: `${origin}/idp`, apiResource: `${origin}/api` };
}

/** `config` for a server that listens on `port` (after listening on port 0: the port the OS chose). */
export function atPort(config: DemoConfig, port: number): DemoConfig {
  return { ...config, ...addresses(config.host, port) };
}

/**
 * Settings from the environment; `overrides` let tests run extra instances (other port, TTL).
 * Port 0 lets the OS choose: `startDemo` then re-derives the origin with `atPort`.
 */
export function demoConfig(overrides: { port?: number; tokenTtlSeconds?: number } = {}): DemoConfig {
  const port = overrides.port ?? integer('PORT', 8080, 1, 65535);
  const host = '127.0.0.1';
  const root = fileURLToPath(new URL('..', import.meta.url));
  return {
    host,
    ...addresses(host, port),
    tokenTtlSeconds: overrides.tokenTtlSeconds ?? integer('VEIL_TOKEN_TTL', DEFAULT_PLAYBACK_TOKEN_TTL_SECONDS, 1, MAX_PLAYBACK_TOKEN_TTL_SECONDS),
    cacheDir: process.env.VEIL_CACHE_DIR || `${root}.cache/veil-media`,
    auditDb: process.env.VEIL_AUDIT_DB || `${root}.cache/veil-audit.sqlite`,
    distDir: `${root}dist`,
    publicDir: `${root}demo/public`,
    org: 'acme',
  };
}
