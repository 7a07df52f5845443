/**
 * The opt-in `VEIL_DEMO_IDP=entra` demo mode through the function `npm start` runs: the Entra
 * look-alike answers discovery over HTTPS with the CA the demo made in its data directory (and no
 * other trust), the index page links the Entra watch page, and the next start reuses the same CA.
 * Without the variable the index page has no Entra link, and an unknown value stops start-up.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { demoConfig } from '../../demo/config.js';
import { ENTRA_DEV_TENANTS } from '../../demo/idp/entra-lookalike.js';
import { indexPage } from '../../demo/pages.js';
import { startDemoFromEnvironment } from '../../demo/server.js';
import { demoTls } from '../../demo/tls.js';
import { fetchTrusting } from '../support/tls.js';

/** Fixed (this feature's range): the look-alike registers the demo's redirect URI before it listens. */
const DEMO_PORT = 8412;
const dataDir = join(tmpdir(), `veil-entra-mode-${process.pid}-${randomUUID()}`);
const previousEntraPort = process.env.VEIL_ENTRA_PORT;
process.env.VEIL_ENTRA_PORT = '0';

after(() => {
  if (previousEntraPort === undefined) delete process.env.VEIL_ENTRA_PORT;
  else process.env.VEIL_ENTRA_PORT = previousEntraPort;
  rmSync(dataDir, { recursive: true, force: true });
});

async function indexOf(origin: string): Promise<string> {
  const response = await fetch(`${origin}/`);
  assert.equal(response.status, 200);
  return response.text();
}

describe('VEIL_DEMO_IDP=entra', () => {
  it('serves the look-alike over HTTPS with the generated CA, links the Entra watch page, and reuses the CA', async () => {
    const caFile = join(dataDir, 'entra-tls', 'ca.pem');
    const first = await startDemoFromEnvironment(demoConfig({ port: DEMO_PORT, dataDir }), {}, 'entra');
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
      const index = await indexOf(first.config.origin);
      assert.match(index, /<a href="\/entra\/watch\?v=sample-dash" data-entra-watch>/);
      const watch = await fetch(`${first.config.origin}/entra/watch?v=sample-dash`);
      assert.equal(watch.status, 200);
      const issuer = /issuer="([^"]+)"/.exec(await watch.text())?.[1];
      assert.ok(issuer?.startsWith('https://127.0.0.1:') && issuer.endsWith(`/entra/${ENTRA_DEV_TENANTS.acme}/v2.0`), issuer);
      const discovery = await fetchTrusting(ca)(`${issuer}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      assert.equal(((await discovery.json()) as { issuer: string }).issuer, issuer);
      // Only the demo's CA makes it trusted: Node's default trust refuses the look-alike.
      await assert.rejects(fetch(`${issuer}/.well-known/openid-configuration`));
    } finally {
      await first.close();
    }
    // What the next start reads from the data directory: the same CA, which a browser may have imported.
    assert.equal(demoTls(join(dataDir, 'entra-tls')).ca, ca);
  });

  it('is off without the variable (no Entra link on the index page), and an unknown value stops start-up', async () => {
    assert.doesNotMatch(indexPage(demoConfig(), [{ id: 'sample-dash', title: 'Sample' }]), /entra/i);
    await assert.rejects(startDemoFromEnvironment(demoConfig({ port: 0, dataDir: `${dataDir}-bad` }), {}, 'entra-id'), /VEIL_DEMO_IDP takes "entra"/);
  });
});
