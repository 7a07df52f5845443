/**
 * A story-local stand-in for `<veil-session>`: provides a chosen session state through the same
 * context, so a story picks the viewer without an identity provider (like the browser tests'
 * `<test-session>`). The player under it is the real one.
 */
import { ContextProvider } from '@lit/context';
import { html, LitElement } from 'lit';
import { VeilError } from '../../src/protocol/errors.js';
import { sessionContext } from '../../src/identity/context.js';
import type { VeilSessionState } from '../../src/identity/types.js';
import { STORY_API } from './story-api.js';
import type { Viewer } from '../../src/protocol/viewer.js';

export class StorySession extends LitElement {
  readonly #provider = new ContextProvider(this, { context: sessionContext });

  set session(value: VeilSessionState | undefined) {
    this.#provider.setValue(value);
  }
  get session(): VeilSessionState | undefined {
    return this.#provider.value;
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
if (!customElements.get('story-session')) customElements.define('story-session', StorySession);

declare global {
  interface HTMLElementTagNameMap {
    'story-session': StorySession;
  }
}

export const STORY_ISSUER = 'https://login.acme.example';

/** The perimeter of every story: members of org `acme` at the story issuer. */
const perimeter = { issuer: STORY_ISSUER, org: 'acme' };

export function signedOutSession(): VeilSessionState {
  return {
    status: 'signed-out',
    api: STORY_API,
    perimeter,
    getAccessToken: async () => {
      throw new VeilError('SIGN_IN_REQUIRED');
    },
    signIn: async () => {
      console.info('[story] signIn() requested: a real <veil-session> would redirect to the identity provider');
    },
  };
}

export interface SignedInOptions {
  claims?: Partial<Viewer>;
  /** Defaults to an access token that resolves at once. */
  getAccessToken?: () => Promise<string>;
}

export function signedInSession({ claims, getAccessToken }: SignedInOptions = {}): VeilSessionState {
  return {
    status: 'signed-in',
    api: STORY_API,
    perimeter,
    claims: { issuer: STORY_ISSUER, sub: 'viewer', org: 'acme', email: 'viewer@acme.test', groups: [], ...claims },
    getAccessToken: getAccessToken ?? (async () => 'story-access-token'),
    signIn: async () => undefined,
  };
}
