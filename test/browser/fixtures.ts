/**
 * A stand-in for `<veil-session>` that provides a given session state: lets player tests choose
 * the viewer without an identity provider (the end-to-end tests use the real one).
 */
import { ContextProvider } from '@lit/context';
import { fixture, waitUntil } from '@open-wc/testing';
import { html, LitElement } from 'lit';
import '../../src/elements/player/define.js';
import type { VeilPlayer } from '../../src/elements/player/player.js';
import type { WatermarkPolicy } from '../../src/protocol/playback.js';
import { installStoryApi } from '../../stories/support/story-api.js';
import { canvasEngine } from '../../stories/support/story-engine.js';
import { signedInSession, type StorySession } from '../../stories/support/story-session.js';
import { VeilError } from '../../src/protocol/errors.js';
import { sessionContext } from '../../src/identity/context.js';
import type { VeilSessionState } from '../../src/identity/types.js';
import type { Viewer } from '../../src/protocol/viewer.js';

export class TestSession extends LitElement {
  readonly provider = new ContextProvider(this, { context: sessionContext });

  set session(value: VeilSessionState | undefined) {
    this.provider.setValue(value);
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
if (!customElements.get('test-session')) customElements.define('test-session', TestSession);

export const ISSUER = 'https://idp.test';

export function signedIn(claims: Partial<Viewer>, calls: string[] = []): VeilSessionState {
  return {
    status: 'signed-in',
    api: 'https://api.invalid',
    perimeter: { issuer: ISSUER, org: 'acme' },
    claims: { issuer: ISSUER, sub: 'someone', groups: [], ...claims },
    getAccessToken: async () => {
      calls.push('getAccessToken');
      return 'access-token';
    },
    signIn: async () => {
      calls.push('signIn');
    },
  };
}

export function signedOut(calls: string[] = []): VeilSessionState {
  return {
    status: 'signed-out',
    api: 'https://api.invalid',
    perimeter: { issuer: ISSUER, org: 'acme' },
    getAccessToken: async () => {
      throw new VeilError('SIGN_IN_REQUIRED');
    },
    signIn: async () => {
      calls.push('signIn');
    },
  };
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
