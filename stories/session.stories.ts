/**
 * `<veil-session>` configured as a host page would: the real session element (OIDC through
 * oidc-client-ts) with a real player inside. Nothing is fetched until the viewer presses "Sign in"
 * (which needs the identity provider, so offline it ends in SIGN_IN_FAILED). The states past
 * sign-in use a story identity provider (`provider="story"`, registered as a host would register
 * its own) in place of the IdP, and the stand-in token service and engine of the player's stories.
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { expect, waitFor } from 'storybook/test';
import '../src/elements/player/define.js';
import '../src/elements/session/define.js';
import { registerIdentityProvider } from '../src/identity/registry.js';
import type { IdentityProvider } from '../src/identity/provider.js';
import type { Viewer } from '../src/protocol/viewer.js';
import { installStoryApi, STORY_API } from './support/story-api.js';
import { canvasEngine } from './support/story-engine.js';
import { STORY_ISSUER } from './support/story-session.js';

interface SessionArgs {
  issuer: string;
  clientId: string;
  api: string;
  org: string;
  groups: string;
  emailDomains: string;
  video: string;
  /** `oidc` (built in), or `story-<viewer>`: a story provider whose viewer is already signed in. */
  provider: string;
}

/** The story providers' viewers: a member of acme, an outsider, and one whose sign-in never settles. */
const STORY_VIEWERS: Record<string, Viewer | 'pending'> = {
  alice: { issuer: STORY_ISSUER, sub: 'alice@acme.test', org: 'acme', email: 'alice@acme.test', groups: ['acme-staff'] },
  mallory: { issuer: STORY_ISSUER, sub: 'mallory@globex.test', org: 'globex', email: 'mallory@globex.test', groups: [] },
  pending: 'pending',
};
for (const [name, viewer] of Object.entries(STORY_VIEWERS)) {
  registerIdentityProvider(`story-${name}`, async (): Promise<IdentityProvider> => ({
    claims: viewer === 'pending' ? undefined : viewer,
    restore: () => (viewer === 'pending' ? new Promise(() => undefined) : Promise.resolve({ claims: viewer })),
    signIn: async () => undefined,
    signOut: async () => undefined,
    accessToken: async () => (viewer === 'pending' ? undefined : 'story-access-token'),
    onChange: () => () => undefined,
  }));
}

type Story = StoryObj<SessionArgs>;

const meta: Meta<SessionArgs> = {
  title: 'Elements/veil-session',
  component: 'veil-session',
  args: {
    issuer: 'https://login.acme.example',
    clientId: 'intranet',
    api: 'https://video.acme.example',
    org: 'acme',
    groups: '',
    emailDomains: '',
    video: 'q3-all-hands',
    provider: 'oidc',
  },
  argTypes: { provider: { control: 'select', options: ['oidc', ...Object.keys(STORY_VIEWERS).map((name) => `story-${name}`)] } },
  // A fresh element for every set of args: <veil-session> reads its configuration when connected.
  render: (args) => html`
    <figure style="margin:0;width:640px;font:14px/1.4 system-ui,sans-serif">
      ${keyed(
        JSON.stringify(args),
        html`<veil-session
          provider=${args.provider}
          issuer=${args.issuer}
          client-id=${args.clientId}
          api=${args.api}
          org=${args.org}
          groups=${args.groups}
          email-domains=${args.emailDomains}
        >
          <veil-player
            video=${args.video}
            style="display:block;width:640px;height:360px"
            .engineLoader=${args.provider.startsWith('story-') ? canvasEngine() : undefined}
          ></veil-player>
        </veil-session>`,
      )}
      <figcaption style="margin-top:0.75em">
        &lt;veil-session issuer="${args.issuer}" client-id="${args.clientId}" api="${args.api}" org="${args.org}"&gt;:
        signs the viewer in with the organisation's identity provider (OIDC authorization code + PKCE) and
        provides identity, perimeter and API location to the player inside it.
      </figcaption>
    </figure>
  `,
};
export default meta;

function elementsIn(canvasElement: HTMLElement) {
  const session = canvasElement.querySelector('veil-session');
  const player = canvasElement.querySelector('veil-player');
  if (!session || !player) throw new Error('the story has no <veil-session> with a <veil-player>');
  return { session, player };
}

/** Configured, nobody signed in yet: the session is `signed-out`, and so is its player. */
export const Configured: Story = {
  play: async ({ canvasElement }) => {
    const { session, player } = elementsIn(canvasElement);
    await waitFor(() => {
      expect(session.getAttribute('status')).toBe('signed-out');
      expect(player.getAttribute('state')).toBe('signed-out');
    });
  },
};

/** Without `issuer` the configuration is invalid: the player shows `error` with CONFIG_INVALID. */
export const MissingIssuer: Story = {
  args: { issuer: '' },
  play: async ({ canvasElement }) => {
    const { session, player } = elementsIn(canvasElement);
    await waitFor(() => {
      expect(session.getAttribute('status')).toBe('error');
      expect(player.getAttribute('state')).toBe('error');
      expect(player.getAttribute('error-code')).toBe('CONFIG_INVALID');
    });
  },
};

/** A member of acme signed in (story provider): the session is `signed-in`, and its player loads the video. */
export const SignedIn: Story = {
  args: { provider: 'story-alice', api: STORY_API },
  beforeEach: () => installStoryApi('grant'),
  play: async ({ canvasElement }) => {
    const { session, player } = elementsIn(canvasElement);
    await waitFor(
      () => {
        expect(session.getAttribute('status')).toBe('signed-in');
        expect(player.getAttribute('state')).toBe('paused');
      },
      { timeout: 10_000 },
    );
  },
};

/** The sign-in has not settled yet (a slow IdP): the session is `initializing`, the player `authorizing`. */
export const Initializing: Story = {
  args: { provider: 'story-pending', api: STORY_API },
  play: async ({ canvasElement }) => {
    const { session, player } = elementsIn(canvasElement);
    await waitFor(() => {
      expect(session.getAttribute('status')).toBe('initializing');
      expect(player.getAttribute('state')).toBe('authorizing');
    });
  },
};

/** Signed in at the IdP, but in org globex while the session's perimeter is acme: `denied`, PERIMETER_DENIED. */
export const OutsidePerimeter: Story = {
  args: { provider: 'story-mallory', api: STORY_API },
  play: async ({ canvasElement }) => {
    const { session, player } = elementsIn(canvasElement);
    await waitFor(() => {
      expect(session.getAttribute('status')).toBe('signed-in');
      expect(player.getAttribute('state')).toBe('denied');
      expect(player.getAttribute('error-code')).toBe('PERIMETER_DENIED');
    });
  },
};
