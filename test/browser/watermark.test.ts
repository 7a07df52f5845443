import { expect, waitUntil } from '@open-wc/testing';
import { grantedPlayer } from './fixtures.js';

document.addEventListener('veil-watermark-tampered', (e) => console.log('TAMPER', JSON.stringify((e as CustomEvent).detail)));
describe('smoke', () => {
  it('plays with a watermark and detects removal', async () => {
    const g = await grantedPlayer({ watermark: { intervalSeconds: 0.3 } });
    try {
      const o = g.overlay();
      console.log('text', o.textContent, o.getAttribute('style'), JSON.stringify(o.getBoundingClientRect()), JSON.stringify(g.video.getBoundingClientRect()));
      await new Promise((r) => setTimeout(r, 1200));
      console.log('state', g.player.getAttribute('state'), g.player.getAttribute('error-code'), JSON.stringify(g.player.securityEvents));
      console.log('style', o.getAttribute('style'));
      o.remove();
      await waitUntil(() => g.player.getAttribute('error-code') === 'WATERMARK_TAMPERED');
      console.log('after', g.player.getAttribute('state'), g.video.paused, JSON.stringify(g.player.securityEvents));
      g.root.append(o);
      await waitUntil(() => g.player.getAttribute('state') === 'paused');
      expect(g.player.hasAttribute('error-code')).to.equal(false);
    } finally {
      g.restore();
    }
  });
});
