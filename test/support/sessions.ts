/**
 * Stand-ins for `<veil-session>` shared by the browser tests and the stories: an element that
 * provides a given `VeilSessionState` through the real session context, and builders of such
 * states. They let a test or story pick the viewer without an identity provider (the end-to-end
 * tests use the real one); the player under them, and its `VeilClient`, are the real ones.
 */
import { ContextProvider } from '@lit/context';
import { html, LitElement } from 'lit';
import { VeilClient } from '../../src/api/client.js';
import { sessionContext } from '../../src/identity/context.js';
import type { VeilSessionState } from '../../src/identity/types.js';
import { VeilError } from '../../src/protocol/errors.js';
import type { PerimeterPolicy } from '../../src/protocol/perimeter.js';
import type { Viewer } from '../../src/protocol/viewer.js';

/** Provides `session` to the elements inside it, as `<veil-session>` does. */
export class SessionStandIn extends LitElement {
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

/** Registers the stand-in under `tag` (once; a subclass per tag, as the registry requires). */
export function defineSessionStandIn(tag: string): void {
  if (!customElements.get(tag)) customElements.define(tag, class extends SessionStandIn {});
}

export interface StandInSession {
  api: string;
  perimeter: PerimeterPolicy;
  /** What the session's `signIn()` does (a real one redirects to the identity provider). */
  signIn(): Promise<void>;
}

export function signedOutState({ api, perimeter, signIn }: StandInSession): VeilSessionState {
  const getAccessToken = async (): Promise<string> => {
    throw new VeilError('SIGN_IN_REQUIRED');
  };
  return { status: 'signed-out', api, perimeter, getAccessToken, client: new VeilClient({ api, accessToken: getAccessToken }), signIn };
}

export function signedInState({ api, perimeter, signIn }: StandInSession, claims: Viewer, getAccessToken: () => Promise<string>): VeilSessionState {
  return { status: 'signed-in', api, perimeter, claims, getAccessToken, client: new VeilClient({ api, accessToken: getAccessToken }), signIn };
}
