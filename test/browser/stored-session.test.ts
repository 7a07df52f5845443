/**
 * The `oidc` provider's fast path: a sign-in stored in sessionStorage (as oidc-client-ts writes it)
 * is restored with no network request and without loading oidc-client-ts; a token close to expiry,
 * a malformed entry or another issuer's entry is not taken from storage.
 */
import { expect } from '@open-wc/testing';
import type { IdentityProviderConfig } from '../../src/identity/provider.js';
import { StoredOidcSession } from '../../src/identity/oidc/stored-session.js';

const CONFIG: IdentityProviderConfig = {
  issuer: 'https://idp.test/idp',
  clientId: 'veil-demo',
  redirectUri: `${location.origin}/watch`,
  postLogoutRedirectUri: `${location.origin}/`,
  scope: 'openid',
  api: location.origin,
};
const KEY = `oidc.user:${CONFIG.issuer}:${CONFIG.clientId}`;
const PROFILE = { iss: CONFIG.issuer, sub: 'alice', org: 'acme', groups: ['staff', 7], email: 'alice@acme.test', name: 'Alice' };

function store(user: Record<string, unknown>, key = KEY): void {
  sessionStorage.setItem(key, JSON.stringify(user));
}

/** Resources fetched since `since` (performance.now()). */
function fetchedSince(since: number): string[] {
  return performance.getEntriesByType('resource').filter((entry) => entry.startTime >= since).map((entry) => entry.name);
}

describe('StoredOidcSession (oidc fast path)', () => {
  afterEach(() => sessionStorage.clear());

  it('restores a stored viewer and its access token with no request and no oidc-client-ts', async () => {
    store({ access_token: 'at-1', refresh_token: 'rt', token_type: 'Bearer', expires_at: Math.floor(Date.now() / 1000) + 600, profile: PROFILE });
    const since = performance.now();
    const identity = new StoredOidcSession(CONFIG);
    const restored = await identity.restore();
    expect(restored).to.deep.equal({
      claims: { issuer: CONFIG.issuer, sub: 'alice', org: 'acme', groups: ['staff'], email: 'alice@acme.test', name: 'Alice' },
    });
    expect(identity.claims?.sub).to.equal('alice');
    expect(await identity.accessToken()).to.equal('at-1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetchedSince(since)).to.deep.equal([]);
  });

  it('nothing stored: signed out, still nothing loaded', async () => {
    const since = performance.now();
    const identity = new StoredOidcSession(CONFIG);
    expect(await identity.restore()).to.deep.equal({ claims: undefined });
    expect(identity.claims).to.equal(undefined);
    expect(fetchedSince(since)).to.deep.equal([]);
  });

  it("another issuer's or a malformed entry is not a viewer", async () => {
    store({ access_token: 'at', expires_at: Math.floor(Date.now() / 1000) + 600, profile: PROFILE }, 'oidc.user:https://evil.test:veil-demo');
    expect((await new StoredOidcSession(CONFIG).restore()).claims).to.equal(undefined);
    sessionStorage.setItem(KEY, '{not json');
    expect((await new StoredOidcSession(CONFIG).restore()).claims).to.equal(undefined);
    store({ access_token: 42, expires_at: Math.floor(Date.now() / 1000) + 600, profile: PROFILE });
    expect((await new StoredOidcSession(CONFIG).restore()).claims).to.equal(undefined);
  });

  it('a token close to expiry is handed to oidc-client-ts (loaded then), not served from storage', async () => {
    // Expired, no refresh token: oidc-client-ts drops it — signed out, no stale token handed out.
    store({ access_token: 'old', token_type: 'Bearer', expires_at: Math.floor(Date.now() / 1000) - 5, profile: PROFILE });
    const identity = new StoredOidcSession(CONFIG);
    const restored = await identity.restore();
    expect(restored.claims).to.equal(undefined);
    expect(await identity.accessToken()).to.equal(undefined);
    expect(performance.getEntriesByType('resource').some((entry) => /oidc-client-ts/.test(entry.name))).to.equal(true);
  });
});
