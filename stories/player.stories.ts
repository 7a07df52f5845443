/**
 * `<veil-player>` in each of its states. Every story drives the real element — a story-local
 * session provider picks the viewer, a stand-in token service answers in the page, and a
 * network-free engine plays an animated canvas — never by setting `state` itself.
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, waitFor } from 'storybook/test';
import '../src/elements/player/define.js';
import type { VeilPlayer } from '../src/elements/player/player.js';
import type { PlayerState } from '../src/playback/state.js';
import type { VeilSessionState } from '../src/identity/types.js';
import { installStoryApi } from './support/story-api.js';
import { canvasEngine, pendingEngine, type EngineLoader } from './support/story-engine.js';
import { signedInSession, signedOutSession } from './support/story-session.js';

interface PlayerArgs {
  video: string;
}

interface StateSetup {
  /** What the state means (from the player's documentation), shown under the player. */
  description: string;
  /** The session the story-local provider gives the player. */
  session: () => VeilSessionState;
  /** The player's `engineLoader`; the built-in engines when unset. */
  engine?: () => EngineLoader;
}

type Story = StoryObj<PlayerArgs>;

const STATE_STYLE = 'display:block;width:640px;height:360px';

function render({ description, session, engine }: StateSetup): Story['render'] {
  return ({ video }) => html`
    <figure style="margin:0;width:640px;font:14px/1.4 system-ui,sans-serif">
      <story-session .session=${session()}>
        <veil-player video=${video} style=${STATE_STYLE} .engineLoader=${engine?.()}></veil-player>
      </story-session>
      <figcaption style="margin-top:0.75em">${description}</figcaption>
    </figure>
  `;
}

/** Installs the token service stand-in for one story; Storybook calls the returned restore after it. */
const grant = () => installStoryApi('grant');
const unreachable = () => installStoryApi('network-error');

function playerIn(canvasElement: HTMLElement): VeilPlayer {
  const player = canvasElement.querySelector('veil-player');
  if (!player) throw new Error('no <veil-player> in the story');
  return player;
}

async function reaches(player: VeilPlayer, state: PlayerState, errorCode?: string): Promise<void> {
  await waitFor(
    () => {
      expect(player.getAttribute('state')).toBe(state);
      if (errorCode) expect(player.getAttribute('error-code')).toBe(errorCode);
    },
    { timeout: 10_000 },
  );
}

/** Waits for the loaded (paused) player, calls play(), and waits for `state`. */
async function playsThrough(player: VeilPlayer, state: PlayerState): Promise<void> {
  await reaches(player, 'paused');
  await player.play();
  await reaches(player, state);
}

const meta: Meta<PlayerArgs> = {
  title: 'Elements/veil-player',
  component: 'veil-player',
  args: { video: 'q3-all-hands' },
  parameters: {
    docs: {
      description: {
        component:
          'Plays one protected video for the signed-in viewer of the enclosing `<veil-session>`: perimeter check, ' +
          'short-lived playback token, lazily loaded engine. Its state is reflected in the `state` attribute.',
      },
    },
  },
};
export default meta;

export const SignedOut: Story = {
  name: 'signed-out',
  render: render({
    description: 'signed-out: no viewer; the player offers a sign-in button. (The session has no signed-in viewer.)',
    session: signedOutSession,
  }),
  play: async ({ canvasElement }) => reaches(playerIn(canvasElement), 'signed-out'),
};

export const Authorizing: Story = {
  name: 'authorizing',
  render: render({
    description:
      'authorizing: checking the perimeter and requesting a playback session. ' +
      '(The viewer is signed in, but the session never hands over an access token.)',
    session: () => signedInSession({ getAccessToken: () => new Promise<string>(() => undefined) }),
  }),
  play: async ({ canvasElement }) => reaches(playerIn(canvasElement), 'authorizing'),
};

export const Denied: Story = {
  name: 'denied',
  render: render({
    description:
      'denied: outside the perimeter, not granted, or no such video (error-code says which). ' +
      '(A viewer from org globex; the perimeter is org acme: error-code PERIMETER_DENIED, and nothing else is fetched.)',
    session: () => signedInSession({ claims: { sub: 'mallory', org: 'globex', email: 'mallory@globex.test' } }),
  }),
  play: async ({ canvasElement }) => reaches(playerIn(canvasElement), 'denied', 'PERIMETER_DENIED'),
};

export const Loading: Story = {
  name: 'loading',
  beforeEach: grant,
  render: render({
    description:
      'loading: playback session granted; the engine is loading the stream. (The story engine never finishes loading.)',
    session: () => signedInSession(),
    engine: pendingEngine,
  }),
  play: async ({ canvasElement }) => reaches(playerIn(canvasElement), 'loading'),
};

export const Paused: Story = {
  name: 'paused',
  beforeEach: grant,
  render: render({
    description: 'paused: as the media element: the stream is loaded and not playing. Press Play to play it.',
    session: () => signedInSession(),
    engine: () => canvasEngine(),
  }),
  play: async ({ canvasElement }) => reaches(playerIn(canvasElement), 'paused'),
};

export const Playing: Story = {
  name: 'playing',
  beforeEach: grant,
  render: render({
    description: 'playing: as the media element: the stream is playing. (The story calls play() once it is loaded.)',
    session: () => signedInSession(),
    engine: () => canvasEngine(),
  }),
  play: async ({ canvasElement }) => playsThrough(playerIn(canvasElement), 'playing'),
};

export const Ended: Story = {
  name: 'ended',
  beforeEach: grant,
  render: render({
    description:
      'ended: as the media element: playback reached the end. (The story engine plays a 1.5 s clip through to its end.)',
    session: () => signedInSession(),
    engine: () => canvasEngine({ clipSeconds: 1.5 }),
  }),
  play: async ({ canvasElement }) => playsThrough(playerIn(canvasElement), 'ended'),
};

export const ErrorState: Story = {
  name: 'error',
  beforeEach: unreachable,
  render: render({
    description: 'error: playback failed (error-code says why). (The video service cannot be reached: error-code NETWORK_ERROR.)',
    session: () => signedInSession(),
  }),
  play: async ({ canvasElement }) => reaches(playerIn(canvasElement), 'error', 'NETWORK_ERROR'),
};
