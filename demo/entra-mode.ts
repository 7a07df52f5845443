/**
 * `VEIL_DEMO_IDP=entra npm start`: the demo beside the dev IdP's Entra look-alike, served over
 * HTTPS on its own port (`VEIL_ENTRA_PORT`, default 8443; 0 lets the OS choose) with the local CA
 * kept in `<dataDir>/entra-tls` (made on the first start, reused after: import it into a browser
 * once). Acme's tenant is the demo org's, members only; `/entra/watch?v=` signs in there.
 */
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { integer, type DemoConfig } from './config.js';
import type { DemoEntraOptions } from './entra.js';
import { createEntraLookalike, ENTRA_DEV_TENANTS } from './idp/entra-lookalike.js';
import { demoTls } from './tls.js';

export interface EntraMode {
  entra: DemoEntraOptions;
  /** The CA to trust (browsers: import as an authority; Node: `NODE_EXTRA_CA_CERTS`). */
  caFile: string;
  close(): Promise<void>;
}

/** The look-alike for a demo at `config.origin` (a known port: the redirect URI is registered first). */
export async function startEntraMode(config: DemoConfig, port = integer('VEIL_ENTRA_PORT', 8443, 0, 65535)): Promise<EntraMode> {
  const tls = demoTls(join(config.dataDir, 'entra-tls'));
  let handle: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, config.host, resolve));
  const lookalike = await createEntraLookalike({
    origin: `https://${config.host}:${(server.address() as AddressInfo).port}`,
    apiResource: config.apiResource,
    clients: [{ client_id: 'veil-demo', redirect_uris: [`${config.origin}/entra/redirect`], post_logout_redirect_uris: [`${config.origin}/`], redirect_origins: [config.origin] }],
  });
  handle = (req, res) => {
    if (!lookalike.handle(req, res)) res.writeHead(404).end();
  };
  const acme = lookalike.tenants.find((tenant) => tenant.tenantId === ENTRA_DEV_TENANTS.acme)!;
  console.log(`Entra look-alike at ${lookalike.authorityBase} (trust the CA ${tls.caFile})`);
  return {
    entra: { authorityBase: lookalike.authorityBase, tenant: acme, membersOnly: true },
    caFile: tls.caFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
