/**
 * `<veil-session>` over the identity provider interface: a provider registered by name drives
 * the real element (no IdP here; the end-to-end tests run the real oidc provider), and the
 * built-in oidc provider is not even loaded when another one is named.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/elements/session/define.js';
import type { VeilSession } from '../../src/elements/session/session.js';
import type { IdentityProvider, IdentityProviderConfig, RestoredIdentity } from '../../src/identity/provider.js';
import { registerIdentityProvider } from '../../src/identity/registry.js';
import type { Viewer } from '../../src/protocol/viewer.js';

const ISSUER = 'https://idp.test';
const BOB: Viewer = { issuer: ISSUER, sub: 'bob', org: 'acme', groups: [] };

/** A provider whose viewer the test sets; records what the element asks of it. */
class ScriptedProvider implements IdentityProvider {
  static last?: ScriptedProvider;
  readonly calls: string[] = [];
  claims: Viewer | undefined;
  #listeners = new Set<(claims: Viewer | undefined) => void>();

  constructor(readonly config: IdentityProviderConfig, claims: Viewer | undefined) {
    this.claims = claims;
    ScriptedProvider.last = this;
  }
  async restore(): Promise<RestoredIdentity> {
    return { claims: this.claims };
  }
  async signIn(returnTo: string): Promise<void> {
    this.calls.push(`signIn ${returnTo}`);
  }
  async signOut(): Promise<void> {
    this.change(undefined);
  }
  async accessToken(): Promise<string | undefined> {
    return this.claims ? `token-of-${this.claims.sub}` : undefined;
  }
  onChange(listener: (claims: Viewer | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  change(claims: Viewer | undefined): void {
    this.claims = claims;
    for (const listener of this.#listeners) listener(claims);
  }
}

registerIdentityProvider('scripted-bob', async (config) => new ScriptedProvider(config, BOB));
registerIdentityProvider('scripted-nobody', async (config) => new ScriptedProvider(config, undefined));

describe('<veil-session provider>', () => {
  it('signs in through the named provider, with the element attributes as its configuration', async () => {
    const element = document.createElement('veil-session');
    Object.assign(element, { provider: 'scripted-bob', issuer: ISSUER, clientId: 'tool', api: 'https://api.invalid/' });
    const signedIn = oneEvent(element, 'veil-signed-in');
    document.body.append(element);
    try {
      // Typed through the HTMLElementEventMap augmentation: no cast.
      const { detail } = await signedIn;
      expect(detail.claims?.sub).to.equal('bob');
      expect(element.getAttribute('status')).to.equal('signed-in');
      expect(element.claims).to.deep.equal(BOB);
      expect(await element.getAccessToken()).to.equal('token-of-bob');
      expect(ScriptedProvider.last!.config).to.deep.include({ issuer: ISSUER, clientId: 'tool', api: 'https://api.invalid', redirectUri: `${location.origin}${location.pathname}` });
    } finally {
      element.remove();
    }
  });

  it('follows the provider: a sign-out reaches the page as veil-signed-out, and tokens are refused', async () => {
    const element = await fixture<VeilSession>(html`<veil-session provider="scripted-bob" issuer=${ISSUER} client-id="tool"></veil-session>`);
    await waitUntil(() => element.status === 'signed-in');
    const signedOut = oneEvent(element, 'veil-signed-out');
    await element.signOut();
    await signedOut;
    expect(element.getAttribute('status')).to.equal('signed-out');
    let code: string | undefined;
    await element.getAccessToken().catch((error: { code: string }) => (code = error.code));
    expect(code).to.equal('SIGN_IN_REQUIRED');
  });

  it('auto-sign-in sends a signed-out viewer to the provider, returning to this page', async () => {
    const element = await fixture<VeilSession>(html`<veil-session provider="scripted-nobody" issuer=${ISSUER} client-id="tool" auto-sign-in></veil-session>`);
    await waitUntil(() => ScriptedProvider.last?.calls.length === 1);
    expect(ScriptedProvider.last!.calls).to.deep.equal([`signIn ${location.href}`]);
    expect(element.status).to.equal('signing-in');
  });

  it('starts one sign-in redirect however many ask at once (auto sign-in, players, the host)', async () => {
    const element = await fixture<VeilSession>(html`<veil-session provider="scripted-nobody" issuer=${ISSUER} client-id="tool"></veil-session>`);
    await waitUntil(() => element.status === 'signed-out');
    await Promise.all([element.signIn(), element.signIn(), element.signIn()]);
    expect(ScriptedProvider.last!.calls).to.deep.equal([`signIn ${location.href}`]);
  });

  it('takes properties set just after it is connected, as React (veil-video/react) sets them', async () => {
    const element = document.createElement('veil-session');
    const signedIn = oneEvent(element, 'veil-signed-in');
    const errors: string[] = [];
    element.addEventListener('veil-error', (event) => errors.push(event.detail.code));
    document.body.append(element);
    // Same task, after insertion: what a framework's layout effect does.
    Object.assign(element, { provider: 'scripted-bob', issuer: ISSUER, clientId: 'late', autoSignIn: true });
    try {
      expect((await signedIn).detail.claims).to.deep.equal(BOB);
      expect(ScriptedProvider.last!.config.clientId).to.equal('late');
      expect(errors).to.deep.equal([]);
    } finally {
      element.remove();
    }
  });

  it('an unknown provider name is CONFIG_INVALID, naming the known ones', async () => {
    const element = document.createElement('veil-session');
    Object.assign(element, { provider: 'msal-not-yet', issuer: ISSUER, clientId: 'tool' });
    const failed = oneEvent(element, 'veil-error');
    document.body.append(element);
    try {
      const { detail } = await failed;
      expect(detail.code).to.equal('CONFIG_INVALID');
      expect(detail.data.known).to.include('oidc');
      expect(element.getAttribute('status')).to.equal('error');
    } finally {
      element.remove();
    }
  });

  it('loads oidc-client-ts only for the oidc provider (never for another)', () => {
    const loaded = performance.getEntriesByType('resource').map((entry) => entry.name);
    expect(loaded.filter((url) => /oidc/.test(url))).to.deep.equal([]);
  });
});
