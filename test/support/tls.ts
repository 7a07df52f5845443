/**
 * Local TLS for tests (msal-browser refuses non-HTTPS authorities): the demo's CA and leaf
 * (`demo/tls.ts`) made in a fresh temporary directory per run, and an NSS
 * database in a per-run HOME that makes Chromium trust the CA (`certutil`, Debian's
 * libnss3-tools). Node's own clients get the CA explicitly (`ca`), or `NODE_EXTRA_CA_CERTS`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTls, type LocalTls } from '../../demo/tls.js';

export interface TestTls extends LocalTls {
  /** A HOME whose NSS database trusts the CA: start Chromium with this HOME. */
  home: string;
  remove(): void;
}

export function createTestTls(): TestTls {
  const dir = mkdtempSync(join(tmpdir(), 'veil-tls-'));
  const made = createLocalTls(dir, { days: 2, name: 'Veil test CA' });
  const home = join(dir, 'home');
  const nssdb = join(home, '.local/share/pki/nssdb');
  mkdirSync(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password'], { stdio: 'ignore' });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'veil-test-ca', '-i', made.caFile], { stdio: 'ignore' });
  return {
    ...made,
    home,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `fetch` over HTTPS trusting `ca` only (Node's global fetch cannot be given a CA at run time).
 * Enough for the tests' small requests: no redirects followed, body buffered.
 */
export function fetchTrusting(ca: string): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init.headers);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers: Object.fromEntries(headers), ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
          }
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}
