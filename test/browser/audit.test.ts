import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { AuditController } from '../../src/audit/audit-controller.js';
import { AuditDelivery } from '../../src/audit/delivery.js';
import { AUDIT_MAX_BATCH_BYTES, type AuditEvent } from '../../src/protocol/audit-events.js';
import { IndexedDbAuditQueue, MemoryAuditQueue, type QueuedEvent } from '../../src/audit/queue.js';
import type { PlaybackSession } from '../../src/protocol/playback.js';
import { signedIn } from './fixtures.js';
import { LitElement } from 'lit';

function entry(seq: number, data: AuditEvent['data'] = {}): QueuedEvent {
  const id = crypto.randomUUID();
  return { id, endpoint: 'https://api.invalid/api/audit/events', credentialKey: 'playback:s', event: { id, type: 'download-attempt', session: 's', seq, clientTime: seq, position: null, data } };
}

describe('audit queue (IndexedDB)', () => {
  it('keeps events across instances until removed, oldest first', async () => {
    const name = `veil-audit-test-${crypto.randomUUID()}`;
    const first = new IndexedDbAuditQueue(name);
    const [a, b] = [entry(1), entry(2)];
    await first.put(b);
    await first.put(a);
    await first.setCredential('playback:s', 'token-1');
    const second = new IndexedDbAuditQueue(name); // another page of the same origin
    expect((await second.all()).map((e) => e.id)).to.deep.equal([a.id, b.id]);
    expect(await second.credential('playback:s')).to.equal('token-1');
    await second.remove([a.id]);
    expect((await first.all()).map((e) => e.id)).to.deep.equal([b.id]);
    await second.remove([b.id]);
    await second.pruneCredentials();
    expect(await first.credential('playback:s')).to.equal(undefined);
  });
});

describe('audit delivery', () => {
  it('splits a large queue into bodies of at most 60 KiB', () => {
    const entries = Array.from({ length: 600 }, (_, i) => entry(i + 1, { via: 'x'.repeat(200) }));
    const batches = AuditDelivery.batches(entries, 'a.b.c');
    expect(batches.length).to.be.greaterThan(1);
    for (const batch of batches) {
      expect(new TextEncoder().encode(batch.body).length).to.be.at.most(AUDIT_MAX_BATCH_BYTES);
      expect(JSON.parse(batch.body).credential).to.equal('a.b.c');
    }
    expect(batches.flatMap((b) => b.ids)).to.deep.equal(entries.map((e) => e.id));
  });

  it('removes acknowledged events, keeps refused ones for a retry, sends the token as a header', async () => {
    const calls: RequestInit[] = [];
    let status = 503;
    const queue = new MemoryAuditQueue();
    const delivery = new AuditDelivery({ queue, minIntervalMs: 60_000, fetch: async (_url, init) => (calls.push(init!), new Response('{}', { status })) });
    delivery.registerCredential('playback:s', () => 'tok');
    await queue.put(entry(1));
    await delivery.flush();
    expect(calls.length).to.equal(1);
    expect((calls[0]!.headers as Record<string, string>).authorization).to.equal('Bearer tok');
    expect((await queue.all()).length).to.equal(1);
    status = 200;
    await delivery.flush();
    expect((await queue.all()).length).to.equal(0);
  });
});

class AuditedElement extends LitElement {}
customElements.define('audited-element', AuditedElement);

describe('AuditController', () => {
  it('queues each event before announcing it as a non-cancelable veil-audit the host cannot stop', async () => {
    const el = await fixture<AuditedElement>(html`<audited-element></audited-element>`);
    const queue = new MemoryAuditQueue();
    const delivery = new AuditDelivery({ queue, minIntervalMs: 60_000, fetch: async () => new Response('{}', { status: 503 }) });
    const playback = { token: 't', sessionId: 'sid', audit: { url: 'https://api.invalid/api/audit/events' }, protocol: 'dash' } as PlaybackSession;
    const audit = new AuditController(el, {
      viewer: () => signedIn({ sub: 'bob' }),
      playbackSession: () => playback,
    }, { delivery });
    let announced: AuditEvent | undefined;
    el.addEventListener('veil-audit', (event) => {
      event.preventDefault();
      event.stopPropagation();
      announced = (event as CustomEvent<AuditEvent>).detail;
    });
    const first = await audit.record('watermark-tampered', { vector: 'style' });
    const second = await audit.record('token-renewed', { expiresAt: 1 });
    expect(announced?.id).to.equal(second?.id);
    expect([first?.seq, second?.seq]).to.deep.equal([1, 2]);
    expect((await queue.all()).map((e) => e.event.type)).to.deep.equal(['watermark-tampered', 'token-renewed']);
    expect((await queue.all())[0]!.credentialKey).to.equal('playback:sid');
    expect(await audit.record('sign-in')).to.not.equal(undefined);
    expect((await queue.all())[2]!.credentialKey).to.equal('access:bob');
  });

  it('records the watermark guard\'s veil-watermark-tampered and a context menu on the element', async () => {
    const el = await fixture<AuditedElement>(html`<audited-element></audited-element>`);
    const queue = new MemoryAuditQueue();
    const delivery = new AuditDelivery({ queue, minIntervalMs: 60_000, fetch: async () => new Response('{}', { status: 503 }) });
    const playback = { token: 't', sessionId: 'sid', audit: { url: 'https://api.invalid/api/audit/events' }, protocol: 'dash' } as PlaybackSession;
    // The element is connected: addController calls hostConnected, which adds the listeners.
    new AuditController(el, { viewer: () => undefined, playbackSession: () => playback, media: () => null }, { delivery });
    const announced: AuditEvent[] = [];
    el.addEventListener('veil-audit', (event) => announced.push((event as CustomEvent<AuditEvent>).detail));
    el.dispatchEvent(new CustomEvent('veil-watermark-tampered', { detail: { type: 'watermark-tampered', vectors: ['removed', 'covered'] }, bubbles: true, composed: true }));
    el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true }));
    await waitUntil(async () => (await queue.all()).length === 2);
    expect(announced.map((e) => [e.type, e.data])).to.deep.equal([['watermark-tampered', { vector: 'removed,covered' }], ['context-menu', {}]]);
  });
});
