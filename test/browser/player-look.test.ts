/**
 * The player's look and feel as behaviour: the big play button before the first play, the seek
 * bar's buffered and played ranges and its time preview (pointer and focus), the title slot, and
 * controls that fade during playback and come back on pointer movement, keys and focus — never
 * while a menu is open. Real pointer moves and key presses through the browser; axe on the new
 * states. The player is the real element with the stories' stand-ins (session, API, engine).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/elements/player/define.js';
import { HIDE_AFTER_MS } from '../../src/elements/player/activity-controller.js';
import type { VeilPlayer } from '../../src/elements/player/player.js';
import { installStoryApi } from '../../stories/support/story-api.js';
import { silentClipEngine } from '../../stories/support/story-engine.js';
import { signedInSession } from '../../stories/support/story-session.js';

let restoreApi: (() => void) | undefined;

afterEach(async () => {
  restoreApi?.();
  restoreApi = undefined;
  await resetMouse();
});

async function loaded(): Promise<VeilPlayer> {
  restoreApi = installStoryApi('grant');
  const host = await fixture(html`
    <story-session .session=${signedInSession()}>
      <veil-player video="v1" .engineLoader=${silentClipEngine({ seconds: 60 })}><span slot="title">Q3 all-hands</span></veil-player>
    </story-session>
  `);
  const player = host.querySelector('veil-player')!;
  await waitUntil(() => player.state === 'paused', 'player loads', { timeout: 10_000 });
  await player.updateComplete;
  return player;
}

const $ = <T extends Element = HTMLElement>(player: VeilPlayer, selector: string) => player.shadowRoot!.querySelector<T>(selector);
const controlsHidden = (player: VeilPlayer) => $(player, '.controls')!.classList.contains('auto-hidden');

/** Moves the real pointer to a point of a shadow-root element (fractions of its box). */
async function pointAt(player: VeilPlayer, selector: string, fx = 0.5, fy = 0.5): Promise<void> {
  const box = $(player, selector)!.getBoundingClientRect();
  await sendMouse({ type: 'move', position: [Math.round(box.left + box.width * fx), Math.round(box.top + box.height * fy)] });
}

describe('player look and feel', () => {
  it('shows a big play button before the first play (a pointer shortcut, hidden from AT), gone once playing', async () => {
    const player = await loaded();
    const big = $(player, '.big-play')!;
    expect(big.getAttribute('aria-hidden')).to.equal('true');
    expect(big.querySelector('svg') !== null).to.equal(true);
    await expect(player).to.be.accessible();
    big.click();
    await waitUntil(() => player.state === 'playing', 'the big button plays');
    await player.updateComplete;
    expect($(player, '.big-play') === null).to.equal(true, 'gone while playing');
    player.pause();
    await waitUntil(() => player.state === 'paused');
    await player.updateComplete;
    expect($(player, '.big-play') === null).to.equal(true, 'not back after a pause');
  });

  it('icon buttons keep their names and show them as tooltips', async () => {
    const player = await loaded();
    for (const selector of ['.play', '.mute', '.captions', '.fullscreen', '#speed-button']) {
      const button = $(player, selector)!;
      expect(button.querySelector('svg[aria-hidden="true"]') !== null, selector).to.equal(true);
      expect(button.querySelector('.tip')!.textContent, selector).to.equal(button.getAttribute('aria-label'));
    }
    const tip = $(player, '.play .tip')!;
    expect(getComputedStyle(tip).visibility).to.equal('hidden');
    await pointAt(player, '.play');
    await waitUntil(() => getComputedStyle(tip).visibility === 'visible', 'tooltip on hover');
  });

  it('draws the buffered ranges and the played part on the seek bar', async () => {
    const player = await loaded();
    player.currentTime = 15;
    await waitUntil(() => $(player, '.played')!.getAttribute('width') === '25%', 'played part follows the playhead');
    await waitUntil(() => player.shadowRoot!.querySelectorAll('.buffered').length > 0, 'buffered ranges');
    const buffered = $(player, '.buffered')!;
    expect(parseFloat(buffered.getAttribute('width')!)).to.be.greaterThan(0);
  });

  it('previews the time under the pointer, and at the playhead while the slider has focus', async () => {
    const player = await loaded();
    expect($(player, '.preview') === null).to.equal(true);
    await pointAt(player, '.seek-bar', 0.5);
    await waitUntil(() => $(player, '.preview text')?.textContent === '0:30', 'preview at the pointer (half of 1:00)');
    await expect(player).to.be.accessible();
    await sendMouse({ type: 'move', position: [0, 0] });
    await waitUntil(() => $(player, '.preview') === null, 'gone when the pointer leaves');
    player.currentTime = 42;
    $<HTMLInputElement>(player, '.seek')!.focus();
    await waitUntil(() => $(player, '.preview text')?.textContent === '0:42', 'preview at the playhead on focus');
  });

  it('shows the title slot over the video', async () => {
    const player = await loaded();
    const title = $(player, '.title')!;
    expect(title.hidden).to.equal(false);
    expect(title.querySelector('slot')!.assignedNodes()[0]!.textContent).to.equal('Q3 all-hands');
  });

  it('fades the controls while playing idle; pointer movement and keys bring them back; never while paused or a menu is open', async () => {
    const player = await loaded();
    await pointAt(player, 'video', 0.5, 0.3);
    await new Promise((done) => setTimeout(done, HIDE_AFTER_MS + 300));
    expect(controlsHidden(player)).to.equal(false, 'paused: stays');
    player.focus();
    await player.play();
    await waitUntil(() => player.state === 'playing');
    await player.updateComplete;
    expect(controlsHidden(player)).to.equal(false, 'starting to play is activity');
    await waitUntil(() => controlsHidden(player), 'idle while playing: faded', { timeout: HIDE_AFTER_MS + 2000 });
    expect($(player, '.title')!.classList.contains('auto-hidden')).to.equal(true, 'the title fades too');
    expect($(player, '.controls')!.hidden).to.equal(false, 'still rendered, focusable');
    await pointAt(player, 'video', 0.4, 0.4);
    await waitUntil(() => !controlsHidden(player), 'pointer movement: back');
    await waitUntil(() => controlsHidden(player), 'idle again', { timeout: HIDE_AFTER_MS + 2000 });
    await sendKeys({ press: 'ArrowUp' });
    await waitUntil(() => !controlsHidden(player), 'a key: back');
    // A menu open: never fades.
    $(player, '#speed-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await player.updateComplete;
    expect($(player, '#speed-menu')!.hidden).to.equal(false);
    await new Promise((done) => setTimeout(done, HIDE_AFTER_MS + 500));
    expect(player.state).to.equal('playing');
    expect(controlsHidden(player)).to.equal(false, 'menu open: stays');
    await sendKeys({ press: 'Escape' });
    await new Promise((done) => setTimeout(done, HIDE_AFTER_MS + 500));
    expect(controlsHidden(player)).to.equal(false, 'focus inside the controls: stays');
    player.pause();
  });
});
