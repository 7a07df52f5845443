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

/**
 * Starts a demo on a port the OS chooses (port 0); its origin is `demo.config.origin`. The shared
 * test server keeps `VEIL_TEST_PORT`.
 */
export async function startTestDemo(options: { tokenTtlSeconds?: number; wrapService?: (service: Handler) => Handler; port?: number; entra?: DemoOptions['entra'] } = {}): Promise<Demo> {
  // Each instance keeps its own state (database, keys, media, audit trail), apart from the shared
  // test server's, and removes it on close; the sample media cache stays shared.
  const dataDir = join(tmpdir(), `veil-data-${process.pid}-${randomUUID()}`);
  const demo = await startDemo(demoConfig({ port: options.port ?? 0, tokenTtlSeconds: options.tokenTtlSeconds, dataDir }), { wrapService: options.wrapService, entra: options.entra });
  return {
    ...demo,
    close: async () => {
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FaultRule {
  method: string;
  path: RegExp;
  /** How many matching requests get the fault; `Infinity` for a permanent fault. */
  times: number;
  /** Answer with this status, or hold the request this long before passing it on (a timeout). */
  fault: { status: number } | { delayMs: number };
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
    const rule = this.#rules.find((r) => r.method === request.method && r.path.test(path) && r.hits < r.times);
    if (!rule) return service(request);
    rule.hits += 1;
    if ('status' in rule.fault) {
      // Like a gateway in front of the service: a bare status, no Veil error body.
      return new Response('injected fault', { status: rule.fault.status, headers: { 'content-type': 'text/plain' } });
    }
    await new Promise((resolve) => setTimeout(resolve, (rule.fault as { delayMs: number }).delayMs));
    return service(request);
  };
}
