import { expect } from '@open-wc/testing';
import { VeilClient } from '../../src/api/client.js';
import { VeilError } from '../../src/protocol/errors.js';
import type { PlaybackSession } from '../../src/protocol/playback.js';

interface Call {
  url: string;
  init: RequestInit;
}

function client(respond: (call: Call) => Response | Promise<Response>, options: { timeoutMs?: number; token?: () => Promise<string> } = {}) {
  const calls: Call[] = [];
  const veil = new VeilClient({
    api: 'https://api.invalid/base/',
    accessToken: options.token ?? (async () => 'access-token'),
    timeoutMs: options.timeoutMs,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    fetch: async (input, init = {}) => {
      const call = { url: String(input), init };
      calls.push(call);
      return respond(call);
    },
  });
  return { veil, calls };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const granted = { token: 'p.t.k', sessionId: 's1', videoId: 'v1' } as PlaybackSession;

async function rejection(promise: Promise<unknown>): Promise<VeilError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(VeilError);
    return error as VeilError;
  }
  throw new Error('expected a rejection');
}

describe('VeilClient', () => {
  it('builds the URL from the API base, sends the access token as a bearer header (never in the URL), JSON, no cookies', async () => {
    const { veil, calls } = client(() => json(granted, 201));
    expect(await veil.createPlaybackSession('v 1')).to.deep.equal(granted);
    expect(calls).to.have.length(1);
    expect(calls[0]!.url).to.equal('https://api.invalid/base/api/playback-sessions');
    expect(calls[0]!.init.method).to.equal('POST');
    expect(calls[0]!.init.credentials).to.equal('omit');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).to.equal('Bearer access-token');
    expect(headers['content-type']).to.equal('application/json');
    expect(JSON.parse(String(calls[0]!.init.body))).to.deep.equal({ videoId: 'v 1' });
    expect(veil.auditEventsUrl).to.equal('https://api.invalid/base/api/audit/events');
  });

  it('a renewal sends the previous token in the body', async () => {
    const { veil, calls } = client(() => json(granted));
    await veil.renewPlaybackSession({ videoId: 'v1', token: 'old.tok.en' });
    expect(JSON.parse(String(calls[0]!.init.body))).to.deep.equal({ videoId: 'v1', previousToken: 'old.tok.en' });
  });

  it('maps the service JSON error body to a VeilError of its code, keeping the server message for the integrator', async () => {
    const { veil } = client(() => json({ error: { code: 'PLAYBACK_NOT_GRANTED', message: 'Not shared with bob.', hint: 'Grant access.' } }, 403));
    const error = await rejection(veil.createPlaybackSession('v1'));
    expect(error.code).to.equal('PLAYBACK_NOT_GRANTED');
    expect(error.data).to.deep.equal({ status: 403, serverMessage: 'Not shared with bob.', serverHint: 'Grant access.' });
  });

  it('without a Veil body, the status decides (a proxy page, an unknown code)', async () => {
    const proxy = client(() => new Response('<html>Not Found</html>', { status: 404 }));
    expect((await rejection(proxy.veil.renewPlaybackSession(granted))).code).to.equal('VIDEO_NOT_FOUND');
    const unknown = client(() => json({ error: { code: 'NOT_A_VEIL_CODE' } }, 409));
    expect((await rejection(unknown.veil.renewPlaybackSession(granted))).code).to.equal('PLAYBACK_SESSION_FAILED');
  });

  it('retries transient failures of a new session with backoff, and stops at the budget', async () => {
    let tries = 0;
    const recovering = client(() => (++tries < 3 ? json({}, 503) : json(granted, 201)));
    expect(await recovering.veil.createPlaybackSession('v1')).to.deep.equal(granted);
    expect(recovering.calls).to.have.length(3);
    const down = client(() => json({}, 503));
    expect((await rejection(down.veil.createPlaybackSession('v1'))).data.status).to.equal(503);
    expect(down.calls).to.have.length(3);
  });

  it('does not retry a refusal, nor a renewal (token renewal decides how long to keep trying)', async () => {
    const refused = client(() => json({ error: { code: 'PERIMETER_DENIED' } }, 403));
    await rejection(refused.veil.createPlaybackSession('v1'));
    expect(refused.calls).to.have.length(1);
    const down = client(() => json({}, 503));
    await rejection(down.veil.renewPlaybackSession(granted));
    expect(down.calls).to.have.length(1);
  });

  it('bounds every request with a timeout: NETWORK_ERROR with timedOut', async () => {
    const hung = client(({ init }) => new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason))), { timeoutMs: 30 });
    const error = await rejection(hung.veil.renewPlaybackSession(granted));
    expect(error.code).to.equal('NETWORK_ERROR');
    expect(error.data.timedOut).to.equal(true);
  });

  it('signed out: SIGN_IN_REQUIRED, and nothing is sent', async () => {
    const { veil, calls } = client(() => json(granted), { token: async () => Promise.reject(new VeilError('SIGN_IN_REQUIRED')) });
    expect((await rejection(veil.createPlaybackSession('v1'))).code).to.equal('SIGN_IN_REQUIRED');
    expect(calls).to.deep.equal([]);
  });
});
