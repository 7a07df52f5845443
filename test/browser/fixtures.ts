/**
 * Player test fixtures: `<test-session>` (the shared session stand-in, `test/support/sessions.ts`)
 * with the viewers these tests use, and a player that really plays without a network.
 */
import { fixture, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/elements/player/define.js';
import type { VeilPlayer } from '../../src/elements/player/player.js';
import type { WatermarkPolicy } from '../../src/protocol/playback.js';
import { installStoryApi } from '../../stories/support/story-api.js';
import { canvasEngine } from '../../stories/support/story-engine.js';
import { signedInSession, type StorySession } from '../../stories/support/story-session.js';
import type { VeilSessionState } from '../../src/identity/types.js';
import type { Viewer } from '../../src/protocol/viewer.js';
import { defineSessionStandIn, signedInState, signedOutState, type SessionStandIn, type StandInSession } from '../support/sessions.js';

export type TestSession = SessionStandIn;
defineSessionStandIn('test-session');

export const ISSUER = 'https://idp.test';

function testSession(calls: string[]): StandInSession {
  return {
    api: 'https://api.invalid',
    perimeter: { issuer: ISSUER, org: 'acme' },
    signIn: async () => {
      calls.push('signIn');
    },
  };
}

export function signedIn(claims: Partial<Viewer>, calls: string[] = []): VeilSessionState {
  return signedInState(testSession(calls), { issuer: ISSUER, sub: 'someone', groups: [], ...claims }, async () => {
    calls.push('getAccessToken');
    return 'access-token';
  });
}

export function signedOut(calls: string[] = []): VeilSessionState {
  return signedOutState(testSession(calls));
}

/**
 * A `<veil-player>` that really plays, without a network: the stories' stand-in token service
 * (`fetch` stubbed for its origin only) grants a playback session with `watermark` merged into
 * its policy, and the stories' canvas engine plays an animated picture on the real `<video>`.
 * Resolves once `play()` has the player `playing` (or `paused` with `play: false`).
 */
export async function grantedPlayer(options: { watermark?: Partial<WatermarkPolicy>; play?: boolean; style?: string } = {}): Promise<GrantedPlayer> {
  const restoreFetch = installStoryApi('grant', options.watermark);
  const host = await fixture<StorySession>(html`<story-session><veil-player video="v1"></veil-player></story-session>`);
  const player = host.querySelector('veil-player') as VeilPlayer;
  // The size the stories use; CSSOM, so it holds under a strict style-src too.
  player.style.setProperty('width', '640px');
  player.engineLoader = canvasEngine();
  host.session = signedInSession();
  await waitUntil(() => player.getAttribute('state') === 'paused', 'the player loads the stream', { timeout: 10_000 });
  if (options.play !== false) {
    await player.play();
    await waitUntil(() => player.getAttribute('state') === 'playing', 'the player plays', { timeout: 10_000 });
  }
  const root = player.shadowRoot!;
  return {
    player,
    host,
    root,
    video: root.querySelector('video')!,
    overlay: () => root.querySelector<HTMLElement>('[part~="watermark"]')!,
    restore: restoreFetch,
  };
}

export interface GrantedPlayer {
  player: VeilPlayer;
  host: StorySession;
  root: ShadowRoot;
  video: HTMLVideoElement;
  /** The overlay element currently in the shadow root. */
  overlay(): HTMLElement;
  /** Puts `fetch` back. */
  restore(): void;
}
