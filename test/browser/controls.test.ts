/**
 * The player's controls used with the keyboard only (real key presses through the browser), its
 * accessibility (axe) in several states, and the strings table. The player is the real element;
 * the stories' stand-ins provide the session, the token service and a network-free engine.
 */
import { aTimeout, expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../../src/elements/player/define.js';
import type { VeilPlayer } from '../../src/elements/player/player.js';
import { resetVeilStrings, setVeilStrings } from '../../src/i18n/locale.js';
import type { VeilSessionState } from '../../src/identity/types.js';
import { installStoryApi } from '../../stories/support/story-api.js';
import { silentClipEngine, type EngineLoader } from '../../stories/support/story-engine.js';
import { signedInSession, signedOutSession } from '../../stories/support/story-session.js';

let restoreApi: (() => void) | undefined;

afterEach(async () => {
  restoreApi?.();
  restoreApi = undefined;
  resetVeilStrings();
  if (document.fullscreenElement) await document.exitFullscreen();
});

async function mount(session: VeilSessionState, engine?: EngineLoader, lang?: string): Promise<VeilPlayer> {
  const host = await fixture(html`
    <div>
      <label>Notes <input id="notes" type="text" /></label>
      <story-session .session=${session}>
        <veil-player video="v1" lang=${ifDefined(lang)} .engineLoader=${engine}></veil-player>
      </story-session>
    </div>
  `);
  const player = host.querySelector('veil-player')!;
  await player.updateComplete;
  return player;
}

/** A player with a loaded 60 s stream (paused), focus on its host. */
async function loaded(lang?: string): Promise<VeilPlayer> {
  restoreApi = installStoryApi('grant');
  const player = await mount(signedInSession(), silentClipEngine({ seconds: 60 }), lang);
  await waitUntil(() => player.state === 'paused', 'player loads', { timeout: 10_000 });
  await player.updateComplete;
  player.focus();
  return player;
}

const root = (player: VeilPlayer) => player.shadowRoot!;
const control = <T extends HTMLElement = HTMLElement>(player: VeilPlayer, selector: string) => {
  const element = root(player).querySelector<T>(selector);
  if (!element) throw new Error(`no ${selector}`);
  return element;
};
const focused = (player: VeilPlayer) => root(player).activeElement as HTMLElement | null;
const announced = (player: VeilPlayer) => root(player).querySelector('.visually-hidden[role="status"]')!.textContent!.trim();
const press = (key: string) => sendKeys({ press: key });
const video = (player: VeilPlayer) => player.media!;
const showing = (player: VeilPlayer) => Array.from(video(player).textTracks).filter((track) => track.mode === 'showing');

describe('player keyboard shortcuts (focus in the player)', () => {
  it('the host is focusable, named, and a group', async () => {
    const player = await loaded();
    expect(document.activeElement).to.equal(player);
    expect(player.getAttribute('tabindex')).to.equal('0');
    expect(player.getAttribute('role')).to.equal('group');
    expect(player.getAttribute('aria-label')).to.equal('Video player');
  });

  it('Space and K play and pause', async () => {
    const player = await loaded();
    await press('Space');
    await waitUntil(() => !player.paused, 'Space plays');
    await waitUntil(() => player.getAttribute('state') === 'playing');
    await press('k');
    await waitUntil(() => player.paused, 'K pauses');
    await press('K');
    await waitUntil(() => !player.paused, 'K (shifted) plays');
    await waitUntil(() => announced(player) === 'Playing');
    expect(window.scrollY).to.equal(0);
  });

  it('← → seek 5 s, J L seek 10 s, clamped at the start', async () => {
    const player = await loaded();
    await press('ArrowRight');
    expect(player.currentTime).to.equal(5);
    await press('l');
    expect(player.currentTime).to.equal(15);
    await press('ArrowLeft');
    expect(player.currentTime).to.equal(10);
    await press('j');
    expect(player.currentTime).to.equal(0);
    await press('ArrowLeft');
    expect(player.currentTime).to.equal(0);
    await waitUntil(() => announced(player).startsWith('0:00 of 1:00'));
  });

  it('↑ ↓ change the volume by 5 %, M mutes and unmutes', async () => {
    const player = await loaded();
    player.volume = 0.5;
    await press('ArrowUp');
    expect(player.volume).to.equal(0.55);
    await press('ArrowDown');
    await press('ArrowDown');
    expect(player.volume).to.equal(0.45);
    await waitUntil(() => announced(player) === 'Volume 45%');
    player.muted = false;
    await press('m');
    expect(player.muted).to.equal(true);
    await waitUntil(() => control(player, '.mute').getAttribute('aria-pressed') === 'true');
    expect(announced(player)).to.equal('Muted');
    await press('M');
    expect(player.muted).to.equal(false);
  });

  it('C switches captions on (the page language, else the first track) and off', async () => {
    const player = await loaded();
    // Chromium shows no cue before the first play or seek (the poster flag), so seek first.
    await press('ArrowRight');
    await press('c');
    await waitUntil(() => showing(player).length === 1);
    expect(showing(player)[0]!.language).to.equal('en');
    await waitUntil(() => (showing(player)[0]!.activeCues?.length ?? 0) > 0, 'a cue is active');
    expect((showing(player)[0]!.activeCues![0] as VTTCue).text).to.equal('Caption 2');
    await waitUntil(() => control(player, '.captions').getAttribute('aria-pressed') === 'true');
    expect(announced(player)).to.equal('Captions on: English');
    await press('c');
    await waitUntil(() => showing(player).length === 0);
    expect(announced(player)).to.equal('Captions off');
  });

  it('F enters and leaves fullscreen on the player container', async () => {
    const player = await loaded();
    await press('f');
    await waitUntil(() => document.fullscreenElement === player, 'fullscreen');
    await waitUntil(() => control(player, '.fullscreen').getAttribute('aria-pressed') === 'true');
    await press('f');
    await waitUntil(() => document.fullscreenElement === null, 'left fullscreen');
  });

  it('never fires while typing in a text field, nor with focus outside the player', async () => {
    const player = await loaded();
    const notes = document.querySelector<HTMLInputElement>('#notes')!;
    notes.focus();
    await sendKeys({ type: 'kmjlfc ' });
    expect(notes.value).to.equal('kmjlfc ');
    expect(player.paused).to.equal(true);
    expect(player.muted).to.equal(true); // the story engine starts muted; M did not toggle it
    expect(player.currentTime).to.equal(0);
    notes.blur();
    await press('k');
    expect(player.paused).to.equal(true);
  });

  it('on the seek slider the arrows move it natively (1 s), on the volume slider they change the volume', async () => {
    const player = await loaded();
    control(player, '.seek').focus();
    await press('ArrowRight');
    await waitUntil(() => player.currentTime === 1, 'native slider step');
    expect(control<HTMLInputElement>(player, '.seek').getAttribute('aria-valuetext')).to.match(/^0:0[01] of 1:00$/);
    await press('k'); // other shortcuts still work on a slider
    await waitUntil(() => !player.paused);
    player.pause();
    player.volume = 0.5;
    control(player, '.volume').focus();
    await press('ArrowRight');
    expect(player.volume).to.equal(0.55);
    expect(Math.round(player.currentTime)).to.equal(1);
    await player.updateComplete;
    expect(control(player, '.volume').getAttribute('aria-valuetext')).to.equal('55%');
  });
});

describe('every control with Tab, Enter and Space', () => {
  const ORDER = ['Play', 'Seek', 'Mute', 'Volume', 'Captions', 'Caption language: Off', 'Quality: Auto (360p)', 'Speed: Normal', 'Fullscreen'];

  it('Tab visits every control in order', async () => {
    const player = await loaded();
    const visited: string[] = [];
    for (let i = 0; i < ORDER.length; i++) {
      await press('Tab');
      visited.push(focused(player)?.getAttribute('aria-label') ?? '(none)');
    }
    expect(visited).to.deep.equal(ORDER);
    await press('Tab');
    expect(focused(player)).to.equal(null, 'focus leaves the player after the last control');
  });

  it('activates each button with Enter or Space', async () => {
    const player = await loaded();
    control(player, '.play').focus();
    await press('Enter');
    await waitUntil(() => !player.paused, 'Enter on Play plays');
    await player.updateComplete;
    expect(focused(player)!.getAttribute('aria-label')).to.equal('Pause');
    await press('Space');
    await waitUntil(() => player.paused, 'Space on Pause pauses');

    control(player, '.mute').focus();
    const wasMuted = player.muted;
    await press('Space');
    expect(player.muted).to.equal(!wasMuted);
    await press('Enter');
    expect(player.muted).to.equal(wasMuted);

    control(player, '.captions').focus();
    await press('Enter');
    await waitUntil(() => showing(player).length === 1);
    await press('Space');
    await waitUntil(() => showing(player).length === 0);

    control(player, '.fullscreen').focus();
    await press('Enter');
    await waitUntil(() => document.fullscreenElement === player);
    await press('Space');
    await waitUntil(() => document.fullscreenElement === null);
  });

  it('the seek and volume sliders work with their keys', async () => {
    const player = await loaded();
    control(player, '.seek').focus();
    await press('End');
    await waitUntil(() => Math.abs(player.currentTime - 60) < 0.5, 'End seeks to the end');
    await press('Home');
    await waitUntil(() => player.currentTime === 0, 'Home seeks to the start');
    control(player, '.volume').focus();
    player.volume = 1;
    await press('ArrowDown');
    expect(player.volume).to.equal(0.95);
    await press('Home');
    expect(player.volume).to.equal(0);
    expect(player.muted).to.equal(true);
  });

  it('menus: open with Enter/Space/↓, move with arrows (wrapping), Home/End, choose with Enter/Space, Escape closes', async () => {
    const player = await loaded();
    const speed = control(player, '#speed-button');
    speed.focus();
    await press('Enter');
    await player.updateComplete;
    expect(speed.getAttribute('aria-expanded')).to.equal('true');
    expect(focused(player)!.getAttribute('role')).to.equal('menuitemradio');
    expect(focused(player)!.textContent).to.equal('Normal', 'opens on the checked item');
    await press('ArrowDown');
    expect(focused(player)!.textContent).to.equal('1.25×');
    await press('End');
    expect(focused(player)!.textContent).to.equal('2×');
    await press('ArrowDown');
    expect(focused(player)!.textContent).to.equal('0.5×', 'wraps');
    await press('Escape');
    await player.updateComplete;
    expect(speed.getAttribute('aria-expanded')).to.equal('false');
    expect(focused(player)).to.equal(speed, 'focus back on the button');
    expect(video(player).playbackRate).to.equal(1, 'Escape changes nothing');

    await press('ArrowDown');
    await player.updateComplete;
    await press('Home');
    await press('Space');
    await waitUntil(() => video(player).playbackRate === 0.5, 'Space chooses');
    expect(focused(player)).to.equal(speed);
    await player.updateComplete;
    expect(speed.getAttribute('aria-label')).to.equal('Speed: 0.5×');
    expect(announced(player)).to.equal('Speed: 0.5×');

    const quality = control(player, '#quality-button');
    quality.focus();
    await press('Space');
    await player.updateComplete;
    expect(focused(player)!.textContent).to.equal('Auto');
    await press('ArrowDown');
    await press('ArrowDown');
    expect(focused(player)!.textContent).to.equal('180p');
    await press('Enter');
    await player.updateComplete;
    expect(quality.getAttribute('aria-label')).to.equal('Quality: 180p');
    expect(announced(player)).to.equal('Quality: 180p');

    const language = control(player, '#captions-button');
    language.focus();
    await press('ArrowUp'); // opens on the last item
    await player.updateComplete;
    expect(focused(player)!.textContent).to.equal('Français');
    await press('Enter');
    await waitUntil(() => showing(player)[0]?.language === 'fr');
    await player.updateComplete;
    expect(control(player, '.captions').getAttribute('aria-pressed')).to.equal('true');
    expect(language.getAttribute('aria-label')).to.equal('Caption language: Français');
    // C remembers the last language
    await press('c');
    await waitUntil(() => showing(player).length === 0);
    await press('c');
    await waitUntil(() => showing(player)[0]?.language === 'fr');
  });

  it('a menu closes when focus leaves it with Tab', async () => {
    const player = await loaded();
    control(player, '#speed-button').focus();
    await press('Enter');
    await player.updateComplete;
    await press('Tab');
    await player.updateComplete;
    expect(control(player, '#speed-button').getAttribute('aria-expanded')).to.equal('false');
    expect(control(player, '#speed-menu').hidden).to.equal(true);
  });
});

describe('accessibility (axe)', () => {
  it('signed out', async () => {
    const player = await mount(signedOutSession());
    expect(player.getAttribute('state')).to.equal('signed-out');
    await expect(player).to.be.accessible();
  });

  it('denied', async () => {
    const player = await mount(signedInSession({ claims: { org: 'globex' } }));
    await waitUntil(() => player.getAttribute('state') === 'denied');
    await expect(player).to.be.accessible();
  });

  it('paused with the controls visible', async () => {
    const player = await loaded();
    expect(control(player, '.controls').hidden).to.equal(false);
    await expect(player).to.be.accessible();
  });

  it('with a menu open and captions on', async () => {
    const player = await loaded();
    await press('c');
    control(player, '#quality-button').focus();
    await press('Enter');
    await player.updateComplete;
    expect(control(player, '#quality-menu').hidden).to.equal(false);
    await expect(player).to.be.accessible();
  });

  it('axe does find a problem the player would have (an unnamed control)', async () => {
    const player = await loaded();
    control(player, '.controls').append(document.createElement('button'));
    await expect(player).not.to.be.accessible();
  });
});

describe('strings', () => {
  it('a host-supplied language replaces every string it has, English fills the rest', async () => {
    setVeilStrings('fr', {
      player: 'Lecteur vidéo',
      play: 'Lecture',
      speedNormal: 'Normale',
      speed: 'Vitesse',
      announceMuted: 'Son coupé',
    });
    const player = await loaded('fr-CA');
    expect(player.getAttribute('aria-label')).to.equal('Lecteur vidéo');
    expect(control(player, '.play').getAttribute('aria-label')).to.equal('Lecture');
    expect(control(player, '.play').textContent!.trim()).to.equal('Lecture');
    expect(control(player, '#speed-button').getAttribute('aria-label')).to.equal('Vitesse: Normale');
    expect(control(player, '.mute').getAttribute('aria-label')).to.equal('Mute', 'missing key: English');
    player.muted = false;
    await press('m');
    await waitUntil(() => announced(player) === 'Son coupé');
    // Numbers follow the language too.
    control(player, '#speed-button').focus();
    await press('Enter');
    await player.updateComplete;
    expect(Array.from(root(player).querySelectorAll('#speed-menu [role="menuitemradio"]'), (item) => item.textContent)).to.include('1,5×');
  });

  it('follows lang changes and strings added later', async () => {
    const player = await loaded();
    expect(control(player, '.play').getAttribute('aria-label')).to.equal('Play');
    player.setAttribute('lang', 'de');
    setVeilStrings('de', { play: 'Abspielen' });
    await player.updateComplete;
    expect(control(player, '.play').getAttribute('aria-label')).to.equal('Abspielen');
    player.setAttribute('lang', 'en');
    await aTimeout(0);
    await player.updateComplete;
    expect(control(player, '.play').getAttribute('aria-label')).to.equal('Play');
  });

  it('state messages and error messages (by code) are translatable', async () => {
    setVeilStrings('fr', {
      signInMessage: 'Connectez-vous pour regarder cette vidéo.',
      signIn: 'Se connecter',
      'error.PERIMETER_DENIED': 'Cette vidéo appartient à une autre organisation.',
    });
    const signedOut = await mount(signedOutSession(), undefined, 'fr');
    expect(control(signedOut, '[part="message"]').textContent).to.contain('Connectez-vous pour regarder cette vidéo.');
    expect(control(signedOut, '[part="message"] button').textContent).to.equal('Se connecter');
    const denied = await mount(signedInSession({ claims: { org: 'globex' } }), undefined, 'fr');
    await waitUntil(() => denied.getAttribute('state') === 'denied');
    await denied.updateComplete;
    expect(control(denied, '[part="message"]').textContent!.trim()).to.equal('Cette vidéo appartient à une autre organisation.');
    expect(denied.getAttribute('error-code')).to.equal('PERIMETER_DENIED');
  });
});
