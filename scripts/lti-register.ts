/**
 * `npm run lti:register -- --issuer <url> --client-id <id> --auth <url> --token <url> --jwks <url>
 * --deployment <id>=<org> [--deployment …] [--alg RS256] [--authorization-server <aud>]`: adds or
 * replaces one LMS registration
 * in the deployment's storage (the demo's: `VEIL_DB`/`VEIL_DATA_DIR`, or `VEIL_DATABASE_URL`).
 * `--list` prints the registrations. Exit 0: saved; 2: bad arguments or storage.
 */
import { parseArgs } from 'node:util';
import { demoConfig } from '../demo/config.js';
import { openStorage } from '../demo/backends.js';
import { authorizationServerProblem } from '../src/server/lti/registration.js';
import type { LtiRegistration } from '../src/server/lti/store.js';

function fail(message: string): never {
  console.error(`lti:register: ${message}`);
  process.exit(2);
}

function url(name: string, value: string | undefined): string {
  if (!value) fail(`--${name} is required`);
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
    return value;
  } catch {
    return fail(`--${name} must be an http(s) URL, got "${value}"`);
  }
}

const { values } = parseArgs({
  options: {
    issuer: { type: 'string' },
    'client-id': { type: 'string' },
    auth: { type: 'string' },
    token: { type: 'string' },
    jwks: { type: 'string' },
    deployment: { type: 'string', multiple: true },
    alg: { type: 'string', multiple: true },
    'authorization-server': { type: 'string' },
    list: { type: 'boolean' },
  },
  strict: true,
});

const { storage } = await openStorage(demoConfig()).catch((error: unknown) => fail(`cannot open the storage: ${(error as Error).message}`));
try {
  if (values.list) {
    for (const r of await storage.lti.registrations()) {
      const audience = r.authorizationServer === undefined ? '' : ` authorization server ${r.authorizationServer}`;
      console.log(`${r.issuer} client ${r.clientId} deployments ${Object.entries(r.deployments).map(([d, org]) => `${d}=${org}`).join(', ') || '(none)'}${audience}`);
    }
  } else {
    const deployments = Object.fromEntries(
      (values.deployment ?? []).map((entry) => {
        const at = entry.indexOf('=');
        if (at <= 0 || at === entry.length - 1) fail(`--deployment takes <deployment id>=<org>, got "${entry}"`);
        return [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
    if (Object.keys(deployments).length === 0) fail('at least one --deployment <id>=<org> is required');
    if (!values['client-id']) fail('--client-id is required');
    const algorithms = values.alg?.length ? values.alg : ['RS256'];
    if (algorithms.some((alg) => alg === 'none' || alg.startsWith('HS'))) fail('--alg takes asymmetric JWS algorithms only');
    const authorizationServer = values['authorization-server'];
    const problem = authorizationServer === undefined ? undefined : authorizationServerProblem(authorizationServer);
    if (problem) fail(`--authorization-server ${problem}, got "${authorizationServer}"`);
    const registration: LtiRegistration = {
      issuer: values.issuer ?? fail('--issuer is required'),
      clientId: values['client-id'],
      authEndpoint: url('auth', values.auth),
      tokenEndpoint: url('token', values.token),
      jwksUrl: url('jwks', values.jwks),
      algorithms,
      deployments,
      ...(authorizationServer === undefined ? {} : { authorizationServer }),
    };
    await storage.lti.putRegistration(registration);
    console.log(`registered ${registration.issuer} (client ${registration.clientId}), deployments ${Object.keys(deployments).join(', ')}`);
  }
} finally {
  await storage.close();
}
