/**
 * A stand-in for `<veil-session>` that provides a given session state: lets player tests choose
 * the viewer without an identity provider (the end-to-end tests use the real one).
 */
import { ContextProvider } from '@lit/context';
import { html, LitElement } from 'lit';
import { VeilError } from '../../src/errors.js';
import { sessionContext } from '../../src/identity/context.js';
import type { VeilSessionState, ViewerClaims } from '../../src/identity/types.js';

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

export function signedIn(claims: Partial<ViewerClaims>, calls: string[] = []): VeilSessionState {
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
