import { expect } from '@open-wc/testing';
import { LtiProvider } from '../../src/identity/lti/lti-provider.js';
import { loadIdentityProvider } from '../../src/identity/registry.js';
import { LTI_SESSION_META } from '../../src/protocol/lti.js';
import type { Viewer } from '../../src/protocol/viewer.js';

const CONFIG = { issuer: 'https://tool.invalid/lti', clientId: 'veil-tool', redirectUri: '', postLogoutRedirectUri: '', scope: '', api: 'https://tool.invalid/' };

/** A session token as the provider reads it (the server signs; the provider only decodes). */
function token(iat: number, exp: number, extra: Record<string, unknown> = {}): string {
  const part = (value: unknown) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'ES256' })}.${part({ iss: CONFIG.issuer, sub: 'lti:https://lms.invalid#7', org: 'acme', name: 'Zoë Ünicode', iat, exp, ...extra })}.sig`;
}

function meta(content: string): HTMLMetaElement {
  const element = document.createElement('meta');
  element.name = LTI_SESSION_META;
  element.content = content;
  document.head.append(element);
  return element;
}

const now = () => Math.floor(Date.now() / 1000);
const realFetch = window.fetch;

describe('<veil-session provider="lti">: LtiProvider', () => {
  afterEach(() => {
    window.fetch = realFetch;
    document.querySelectorAll(`meta[name="${LTI_SESSION_META}"]`).forEach((element) => element.remove());
  });

  it('is built in: the registry loads it lazily by name', async () => {
    expect(await loadIdentityProvider('lti', CONFIG)).to.be.instanceOf(LtiProvider);
  });

  it('restores the viewer from the launch page once and removes the token from the DOM', async () => {
    const fresh = token(now(), now() + 300);
    meta(fresh);
    const provider = new LtiProvider(CONFIG);
    const restored = await provider.restore();
    expect(restored.claims).to.include({ issuer: CONFIG.issuer, sub: 'lti:https://lms.invalid#7', org: 'acme', name: 'Zoë Ünicode' });
    expect(document.querySelector(`meta[name="${LTI_SESSION_META}"]`)).to.equal(null);
    expect(await provider.accessToken()).to.equal(fresh);
  });

  it('without a launch token the viewer is signed out, and signIn explains that the course page must be reloaded', async () => {
    const provider = new LtiProvider(CONFIG);
    expect((await provider.restore()).claims).to.equal(undefined);
    expect(await provider.accessToken()).to.equal(undefined);
    const error = await provider.signIn().catch((e: unknown) => e);
    expect((error as { code: string }).code).to.equal('LTI_SESSION_INVALID');
  });

  it('renews once past 70% of the lifetime (one request for concurrent callers), with the token in a header', async () => {
    meta(token(now() - 250, now() + 50));
    const renewed = token(now(), now() + 300);
    const calls: Array<{ url: string; init: RequestInit }> = [];
    window.fetch = async (input, init = {}) => {
      calls.push({ url: String(input), init });
      return new Response(JSON.stringify({ token: renewed, expiresAt: Date.now() + 300_000 }), { headers: { 'content-type': 'application/json' } });
    };
    const provider = new LtiProvider(CONFIG);
    await provider.restore();
    const [a, b] = await Promise.all([provider.accessToken(), provider.accessToken()]);
    expect([a, b]).to.deep.equal([renewed, renewed]);
    expect(calls).to.have.length(1);
    expect(calls[0]!.url).to.equal('https://tool.invalid/lti/session');
    expect(new Headers(calls[0]!.init.headers).get('authorization')).to.match(/^Bearer /);
  });

  it('a refused renewal (membership ended) signs the viewer out', async () => {
    meta(token(now() - 250, now() + 50));
    window.fetch = async () => new Response(JSON.stringify({ error: { code: 'LTI_SESSION_INVALID' } }), { status: 401 });
    const provider = new LtiProvider(CONFIG);
    await provider.restore();
    const changes: Array<Viewer | undefined> = [];
    provider.onChange((claims) => changes.push(claims));
    expect(await provider.accessToken()).to.equal(undefined);
    expect(changes).to.deep.equal([undefined]);
    expect(provider.claims).to.equal(undefined);
  });
});
