import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/elements/player/define.js';
import type { VeilPlayer } from '../../src/elements/player/player.js';
import { VeilError } from '../../src/protocol/errors.js';
import { signedIn, signedOut, type TestSession } from './fixtures.js';
import './fixtures.js';

async function mount(session: TestSession['session'] | undefined) {
  const host = await fixture<TestSession>(html`<test-session><veil-player video="v1"></veil-player></test-session>`);
  host.session = session;
  const player = host.querySelector('veil-player') as VeilPlayer;
  await player.updateComplete;
  return player;
}

/** Records fetches made while `fn` runs, and answers them with `respond`. */
async function withFetch<T>(respond: (url: string) => Response, fn: (urls: string[]) => Promise<T>): Promise<T> {
  const original = window.fetch;
  const urls: string[] = [];
  window.fetch = async (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    urls.push(url);
    return respond(url);
  };
  try {
    return await fn(urls);
  } finally {
    window.fetch = original;
  }
}

describe('<veil-player>', () => {
  it('without a session is signed-out', async () => {
    const player = await fixture<VeilPlayer>(html`<veil-player video="v1"></veil-player>`);
    expect(player.getAttribute('state')).to.equal('signed-out');
    expect(player.paused).to.equal(true);
  });

  it('signed out: says so, and its button asks the session to sign in', async () => {
    const calls: string[] = [];
    const player = await mount(signedOut(calls));
    expect(player.getAttribute('state')).to.equal('signed-out');
    const message = player.shadowRoot!.querySelector('[part="message"]')!;
    expect(message.textContent).to.contain('Sign in');
    message.querySelector('button')!.click();
    expect(calls).to.deep.equal(['signIn']);
  });

  it('outside the perimeter: denied with PERIMETER_DENIED before any request or token use', async () => {
    const calls: string[] = [];
    await withFetch(() => new Response(null, { status: 500 }), async (urls) => {
      const host = await fixture<TestSession>(html`<test-session><veil-player video="v1"></veil-player></test-session>`);
      const player = host.querySelector('veil-player') as VeilPlayer;
      const errorEvent = oneEvent(host, 'veil-error');
      host.session = signedIn({ org: 'globex' }, calls);
      const { detail } = await errorEvent;
      expect(detail).to.be.instanceOf(VeilError);
      expect(detail.code).to.equal('PERIMETER_DENIED');
      expect(detail.data.reason).to.equal('org');
      expect(player.getAttribute('state')).to.equal('denied');
      expect(player.getAttribute('error-code')).to.equal('PERIMETER_DENIED');
      // Nothing but audit records (which never carry media) may leave the page.
      expect(urls.filter((url) => !new URL(url).pathname.startsWith('/api/audit'))).to.deep.equal([]);
      expect(calls).to.deep.equal([]);
      const engineChunks = performance.getEntriesByType('resource').filter((entry) => /shaka|hls/.test(entry.name));
      expect(engineChunks).to.deep.equal([]);
    });
  });

  it('maps a service refusal to denied with the service error code', async () => {
    const body = JSON.stringify({ error: { code: 'PLAYBACK_NOT_GRANTED', message: 'no' } });
    await withFetch(() => new Response(body, { status: 403, headers: { 'content-type': 'application/json' } }), async (urls) => {
      const player = await mount(signedIn({ org: 'acme' }));
      await waitUntil(() => player.getAttribute('state') === 'denied');
      expect(player.getAttribute('error-code')).to.equal('PLAYBACK_NOT_GRANTED');
      // Besides the refused request, only audit records may be sent (this player's, and queued
      // ones of earlier tests' players: the IndexedDB queue outlives a page of the same origin).
      expect(urls.filter((url) => !new URL(url).pathname.startsWith('/api/audit'))).to.deep.equal(['https://api.invalid/api/playback-sessions']);
      expect(player.shadowRoot!.querySelector('[part="message"]')!.textContent).to.contain('Ask its owner');
    });
  });

  it('denied PLAYBACK_NOT_GRANTED offers "Request access": a cancelable veil-request-access, then one request', async () => {
    const refused = JSON.stringify({ error: { code: 'PLAYBACK_NOT_GRANTED', message: 'You do not have access to this video.' } });
    const respond = (url: string) =>
      url.endsWith('/access-requests')
        ? new Response(JSON.stringify({ status: 'pending' }), { status: 201, headers: { 'content-type': 'application/json' } })
        : new Response(refused, { status: 403, headers: { 'content-type': 'application/json' } });
    await withFetch(respond, async (urls) => {
      const player = await mount(signedIn({ org: 'acme' }));
      await waitUntil(() => player.getAttribute('state') === 'denied');
      const button = () => player.shadowRoot!.querySelector<HTMLButtonElement>('[part="request-access"]');
      await waitUntil(() => button());
      expect(button()!.textContent!.trim()).to.equal('Request access');
      const requests = () => urls.filter((url) => url.endsWith('/access-requests'));
      // A host may veto and ask its own way: nothing is sent.
      const veto = (event: Event) => event.preventDefault();
      player.addEventListener('veil-request-access', veto, { once: true });
      button()!.click();
      await player.updateComplete;
      expect(requests()).to.deep.equal([]);
      const asked = oneEvent(player, 'veil-request-access');
      const filed = oneEvent(player, 'veil-access-requested');
      button()!.click();
      expect((await asked).detail).to.deep.equal({ videoId: 'v1' });
      expect((await filed).detail).to.deep.equal({ videoId: 'v1', status: 'pending' });
      expect(requests()).to.deep.equal(['https://api.invalid/api/videos/v1/access-requests']);
      await player.updateComplete;
      const message = player.shadowRoot!.querySelector('[part="message"]')!.textContent!;
      expect(message).to.contain('Access requested');
      expect(button()).to.equal(null);
      expect(player.getAttribute('state')).to.equal('denied');
    });
  });

  it('other denials offer no access request', async () => {
    const body = JSON.stringify({ error: { code: 'VIDEO_NOT_FOUND', message: 'no' } });
    await withFetch(() => new Response(body, { status: 404, headers: { 'content-type': 'application/json' } }), async () => {
      const player = await mount(signedIn({ org: 'acme' }));
      await waitUntil(() => player.getAttribute('state') === 'denied' || player.getAttribute('state') === 'error');
      expect(player.shadowRoot!.querySelector('[part="request-access"]')).to.equal(null);
    });
  });

  for (const code of ['ACCOUNT_DEPROVISIONED', 'ENTRA_GUEST_NOT_ALLOWED', 'ENTRA_GROUPS_OVERAGE']) {
    it(`maps the identity refusal ${code} to denied, not error`, async () => {
      const body = JSON.stringify({ error: { code, message: 'no' } });
      await withFetch(() => new Response(body, { status: 403, headers: { 'content-type': 'application/json' } }), async () => {
        const player = await mount(signedIn({ org: 'acme' }));
        await waitUntil(() => ['denied', 'error'].includes(player.getAttribute('state') ?? ''));
        expect(player.getAttribute('state')).to.equal('denied');
        expect(player.getAttribute('error-code')).to.equal(code);
      });
    });
  }

  it('a network failure is retried a bounded number of times, then NETWORK_ERROR', async () => {
    const original = window.fetch;
    let attempts = 0;
    window.fetch = async (input: RequestInfo | URL) => {
      if (String(input instanceof Request ? input.url : input).endsWith('/api/playback-sessions')) attempts += 1;
      throw new TypeError('Failed to fetch');
    };
    try {
      const player = await mount(signedIn({ org: 'acme' }));
      await waitUntil(() => player.getAttribute('state') === 'error', 'reaches error', { timeout: 15000 });
      expect(attempts).to.equal(4);
      expect(player.getAttribute('error-code')).to.equal('NETWORK_ERROR');
      expect(player.error?.severity).to.equal('recoverable');
    } finally {
      window.fetch = original;
    }
  });

  it('re-dispatches media events and proxies the media API', async () => {
    const player = await mount(signedOut());
    const video = player.shadowRoot!.querySelector('video')!;
    const volumeChange = oneEvent(player, 'volumechange');
    player.muted = true;
    await volumeChange;
    expect(video.muted).to.equal(true);
    player.volume = 0.25;
    expect(video.volume).to.equal(0.25);
    expect(player.volume).to.equal(0.25);
    expect(Number.isNaN(player.duration)).to.equal(true);
  });

  it('renders no picture-in-picture, download or remote playback affordance', async () => {
    const player = await mount(signedOut());
    const video = player.shadowRoot!.querySelector('video')!;
    expect(video.disablePictureInPicture).to.equal(true);
    expect(video.getAttribute('controlslist')).to.contain('nodownload');
    expect(video.hasAttribute('controls')).to.equal(false);
  });
});
