/**
 * `<veil-session>` configured as a host page would: the real session element (OIDC through
 * oidc-client-ts) with a real player inside. Nothing is fetched until the viewer presses "Sign in"
 * (which needs the identity provider, so offline it ends in SIGN_IN_FAILED).
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { expect, waitFor } from 'storybook/test';
import '../src/elements/player/define.js';
import '../src/elements/session/define.js';

interface SessionArgs {
  issuer: string;
  clientId: string;
  api: string;
  org: string;
  groups: string;
  emailDomains: string;
  video: string;
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
  },
  // A fresh element for every set of args: <veil-session> reads its configuration when connected.
  render: (args) => html`
    <figure style="margin:0;width:640px;font:14px/1.4 system-ui,sans-serif">
      ${keyed(
        JSON.stringify(args),
        html`<veil-session
          issuer=${args.issuer}
          client-id=${args.clientId}
          api=${args.api}
          org=${args.org}
          groups=${args.groups}
          email-domains=${args.emailDomains}
        >
          <veil-player video=${args.video} style="display:block;width:640px;height:360px"></veil-player>
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
