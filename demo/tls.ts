/**
 * A local certificate authority and a leaf certificate for 127.0.0.1 and localhost, made with
 * openssl: the Entra look-alike must be served over HTTPS (msal-browser refuses any other
 * authority). The demo keeps them in its data directory and reuses them on the next start (a CA
 * the user imported into a browser stays the one in use); tests make a fresh pair per run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalTls {
  dir: string;
  /** PEM of the CA certificate (also at `caFile`): what a browser or Node must trust. */
  ca: string;
  caFile: string;
  /** The leaf's key and certificate, for `https.createServer({ key, cert })`. */
  key: string;
  cert: string;
}

const FILES = ['ca.pem', 'ca.key', 'leaf.pem', 'leaf.key'] as const;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string): LocalTls {
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    cert: readFileSync(join(dir, 'leaf.pem'), 'utf8'),
  };
}

/**
 * Makes the CA and the leaf in `dir` (created if missing), valid for `days` (the leaf at most 397,
 * the longest validity browsers accept for a server certificate), named `name`.
 */
export function createLocalTls(dir: string, { days, name }: { days: number; name: string }): LocalTls {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(days), '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', String(Math.min(days, 397)), '-extfile', 'leaf.ext'], dir);
  // Whoever holds the CA's key can impersonate any site to a browser that trusts the CA.
  for (const key of ['ca.key', 'leaf.key']) chmodSync(join(dir, key), 0o600);
  return read(dir);
}

/** The demo's pair in `dir`: the one made on an earlier start, or a new one (valid ten years, leaf 397 days). */
export function demoTls(dir: string): LocalTls {
  if (FILES.every((file) => existsSync(join(dir, file)))) return read(dir);
  return createLocalTls(dir, { days: 3650, name: 'Veil demo local CA' });
}
