/**
 * `npm run lti:register`: adds a registration to the deployment's storage (listed back with
 * `--list`) and refuses bad arguments with exit 2 and nothing written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const dataDir = mkdtempSync(join(tmpdir(), 'veil-lti-register-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function register(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lti-register.ts', ...args], { env: { ...process.env, VEIL_DATA_DIR: dataDir, VEIL_DB: '', VEIL_DATABASE_URL: '' }, encoding: 'utf8' });
}

const GOOD = ['--issuer', 'https://canvas.instructure.com', '--client-id', '1000', '--auth', 'https://sso.canvaslms.com/api/lti/authorize_redirect', '--token', 'https://sso.canvaslms.com/login/oauth2/token', '--jwks', 'https://sso.canvaslms.com/api/lti/security/jwks'];

describe('npm run lti:register', () => {
  it('saves a registration with its deployments; --list shows it', () => {
    const saved = register(...GOOD, '--deployment', '1:abc=acme', '--deployment', '2:def=acme');
    assert.equal(saved.status, 0, saved.stderr);
    const listed = register('--list');
    assert.match(listed.stdout, /https:\/\/canvas\.instructure\.com client 1000 deployments 1:abc=acme, 2:def=acme\n/);
  });

  it('saves --authorization-server (Brightspace\'s OAuth2 Audience); --list shows it', () => {
    const saved = register(...GOOD.map((arg) => arg.replace('1000', '3000')), '--deployment', 'd=acme', '--authorization-server', 'https://api.brightspace.com/auth/token');
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(register('--list').stdout, /client 3000 deployments d=acme authorization server https:\/\/api\.brightspace\.com\/auth\/token/);
  });

  for (const [name, args] of [
    ['no deployment', GOOD],
    ['a deployment without org', [...GOOD, '--deployment', 'd1']],
    ['a non-http auth endpoint', [...GOOD.slice(0, 4), '--auth', 'javascript:alert(1)', ...GOOD.slice(6), '--deployment', 'd=acme']],
    ['an HMAC algorithm', [...GOOD, '--deployment', 'd=acme', '--alg', 'HS256']],
    ['a javascript: authorization server', [...GOOD, '--deployment', 'd=acme', '--authorization-server', 'javascript:alert(1)']],
    ['an authorization server with a newline', [...GOOD, '--deployment', 'd=acme', '--authorization-server', 'https://a.test/\n']],
    ['an empty authorization server', [...GOOD, '--deployment', 'd=acme', '--authorization-server', '']],
  ] as const) {
    it(`refuses ${name} (exit 2, nothing written)`, () => {
      const result = register(...args.map((arg) => arg.replace('1000', '2000')));
      assert.equal(result.status, 2, result.stdout);
      assert.match(result.stderr, /^lti:register: /);
      assert.doesNotMatch(register('--list').stdout, /client 2000/);
    });
  }
});
