/**
 * `<veil-session provider="entra" tenant="…" client-id="…">` with the real msal-browser: the
 * tenant attribute becomes msal's authority — sign-in navigates to
 * `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize` (msal knows Microsoft's
 * endpoints without fetching them) — and a tenant that is no organisation's perimeter is refused
 * (CONFIG_INVALID). The navigation is observed and cancelled through the Navigation API, so the
 * test page stays.
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/elements/session/define.js';
import type { VeilSession } from '../../src/elements/session/session.js';

const TENANT = 'ac3e0000-0000-4000-8000-000000000001';

interface NavigateEvent extends Event {
  readonly destination: { readonly url: string };
}

/** The first page navigation msal starts: recorded and cancelled. */
function nextNavigation(): Promise<URL> {
  const navigation = (window as unknown as { navigation: EventTarget }).navigation;
  return new Promise((resolve) => {
    const onNavigate = (event: Event) => {
      event.preventDefault();
      navigation.removeEventListener('navigate', onNavigate);
      resolve(new URL((event as NavigateEvent).destination.url));
    };
    navigation.addEventListener('navigate', onNavigate);
  });
}

function session(attributes: Record<string, string>): VeilSession {
  const element = document.createElement('veil-session');
  for (const [name, value] of Object.entries({ provider: 'entra', 'client-id': 'veil-spa', 'redirect-uri': `${location.origin}/entra-redirect.html`, ...attributes })) element.setAttribute(name, value);
  return element;
}

describe('<veil-session provider="entra" tenant>', () => {
  it("makes the tenant msal's authority: sign-in goes to https://login.microsoftonline.com/{tenant}/", async () => {
    const element = session({ tenant: TENANT, 'auto-sign-in': '' });
    const navigated = nextNavigation();
    document.body.append(element);
    try {
      const target = await navigated;
      expect(target.origin + target.pathname).to.equal(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
      expect(target.searchParams.get('client_id')).to.equal('veil-spa');
      expect(target.searchParams.get('redirect_uri')).to.equal(`${location.origin}/entra-redirect.html`);
      await waitUntil(() => element.status === 'signing-in');
    } finally {
      element.remove();
      sessionStorage.clear();
    }
  });

  for (const [tenant, why] of [
    ['common', 'any tenant'],
    ['organizations', 'any organisation'],
    ['contoso.onmicrosoft.com', 'a domain, never the token issuer'],
    ['9188040d-6c67-4c5b-b112-36a304b66dad', 'the consumer tenant'],
  ] as const) {
    it(`refuses tenant="${tenant}" (${why}) as CONFIG_INVALID`, async () => {
      const element = session({ tenant });
      const failed = oneEvent(element, 'veil-error');
      document.body.append(element);
      try {
        expect((await failed).detail.code).to.equal('CONFIG_INVALID');
        expect(element.getAttribute('status')).to.equal('error');
      } finally {
        element.remove();
      }
    });
  }

  it('takes issuer or tenant, not both', async () => {
    const element = session({ tenant: TENANT, issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` });
    const failed = oneEvent(element, 'veil-error');
    document.body.append(element);
    try {
      expect((await failed).detail.code).to.equal('CONFIG_INVALID');
    } finally {
      element.remove();
    }
  });
});
