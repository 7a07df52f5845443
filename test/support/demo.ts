/**
 * Extra demo-server instances inside a test process: their own port, another token lifetime, and
 * faults injected in front of the Veil service. Everything else is the real demo.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handler } from '../../src/server/http.js';
import { demoConfig } from '../../demo/config.js';
import { startDemo, type DemoOptions } from '../../demo/server.js';

export type Demo = Awaited<ReturnType<typeof startDemo>>;

export interface TestDemoOptions {
  tokenTtlSeconds?: number;
  ltiSessionTtlSeconds?: number;
  uploadTokenTtlSeconds?: number;
  /** The demo's per-user duration quota for recordings (seconds). */
  recordingSecondsPerUser?: number;
  wrapService?: (service: Handler) => Handler;
  /** A fixed port (the Entra look-alike registers the demo's redirect URI before it starts). */
  port?: number;
  entra?: DemoOptions['entra'];
}

/**
 * Starts a demo on a port the OS chooses (port 0); its origin is `demo.config.origin`. The shared
 * test server keeps `VEIL_TEST_PORT`. `restart()` stops the server and starts it again on the
 * same port with the same state (a service restart, as a deployment would do it).
 */
export async function startTestDemo(options: TestDemoOptions = {}): Promise<Demo & { restart(pauseMs?: number): Promise<void> }> {
  // Each instance keeps its own state (database, keys, media, audit trail), apart from the shared
  // test server's, and removes it on close; the sample media cache stays shared.
  const dataDir = join(tmpdir(), `veil-data-${process.pid}-${randomUUID()}`);
  const start = (port: number) =>
    startDemo(demoConfig({ port, tokenTtlSeconds: options.tokenTtlSeconds, ltiSessionTtlSeconds: options.ltiSessionTtlSeconds, uploadTokenTtlSeconds: options.uploadTokenTtlSeconds, recordingSecondsPerUser: options.recordingSecondsPerUser, dataDir }), { wrapService: options.wrapService, entra: options.entra });
  let demo = await start(options.port ?? 0);
  // Getters, so that after a restart callers see the running instance's parts.
  return {
    config: demo.config,
    get server() {
      return demo.server;
    },
    get videos() {
      return demo.videos;
    },
    get grants() {
      return demo.grants;
    },
    get recordings() {
      return demo.recordings;
    },
    get lms() {
      return demo.lms;
    },
    /** The SCIM secrets: a test issues its own with `rotate(org, grace)` to provision like Entra. */
    get scimSecrets() {
      return demo.scimSecrets;
    },
    async restart(pauseMs = 0) {
      await demo.close();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      demo = await start(demo.config.port);
    },
    drain: (graceMs?: number) => demo.drain(graceMs),
    close: async () => {
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FaultRule {
  method: string;
  path: RegExp;
  /** Only requests this also accepts (e.g. by a header) get the fault. */
  when?: (request: Request) => boolean;
  /** How many matching requests get the fault; `Infinity` for a permanent fault. */
  times: number;
  /**
   * Answer with this status; or hold the request this long before passing it on (a slow or lost
   * request: the service sees it late); or pass it on at once and hold the answer (a slow reply:
   * the service has already acted on it, with the credentials valid when it was sent).
   */
  fault: { status: number } | { delayMs: number } | { holdResponseMs: number };
}

/** Injects faults in front of the service; counts how often each rule fired. */
export class FaultInjector {
  #rules: Array<FaultRule & { hits: number }> = [];

  set(rules: FaultRule[]): void {
    this.#rules = rules.map((rule) => ({ ...rule, hits: 0 }));
  }

  hits(): number[] {
    return this.#rules.map((rule) => rule.hits);
  }

  readonly wrap = (service: Handler): Handler => async (request) => {
    const path = new URL(request.url).pathname;
    const rule = this.#rules.find((r) => r.method === request.method && r.path.test(path) && r.hits < r.times && (r.when?.(request) ?? true));
    if (!rule) return service(request);
    rule.hits += 1;
    if ('status' in rule.fault) {
      // Like a gateway in front of the service: a bare status, no Veil error body.
      return new Response('injected fault', { status: rule.fault.status, headers: { 'content-type': 'text/plain' } });
    }
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    if ('holdResponseMs' in rule.fault) {
      const response = await service(request);
      await wait(rule.fault.holdResponseMs);
      return response;
    }
    await wait(rule.fault.delayMs);
    return service(request);
  };
}
