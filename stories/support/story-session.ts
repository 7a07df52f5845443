/**
 * The stories' stand-in for `<veil-session>`: `<story-session>` (the stand-in shared with the
 * browser tests, `test/support/sessions.ts`) and the story viewers. The player under it is the
 * real one.
 */
import { defineSessionStandIn, signedInState, signedOutState, type SessionStandIn, type StandInSession } from '../../test/support/sessions.js';
import type { VeilSessionState } from '../../src/identity/types.js';
import { STORY_API } from './story-api.js';
import type { Viewer } from '../../src/protocol/viewer.js';

export type StorySession = SessionStandIn;
defineSessionStandIn('story-session');

declare global {
  interface HTMLElementTagNameMap {
    'story-session': StorySession;
  }
}

export const STORY_ISSUER = 'https://login.acme.example';

/** Every story's session: the story API, and members of org `acme` at the story issuer. */
const storySession: StandInSession = {
  api: STORY_API,
  perimeter: { issuer: STORY_ISSUER, org: 'acme' },
  signIn: async () => {
    console.info('[story] signIn() requested: a real <veil-session> would redirect to the identity provider');
  },
};

export function signedOutSession(): VeilSessionState {
  return signedOutState(storySession);
}

export interface SignedInOptions {
  claims?: Partial<Viewer>;
  /** Defaults to an access token that resolves at once. */
  getAccessToken?: () => Promise<string>;
}

export function signedInSession({ claims, getAccessToken }: SignedInOptions = {}): VeilSessionState {
  return signedInState(
    { ...storySession, signIn: async () => undefined },
    { issuer: STORY_ISSUER, sub: 'viewer', org: 'acme', email: 'viewer@acme.test', groups: [], ...claims },
    getAccessToken ?? (async () => 'story-access-token'),
  );
}
