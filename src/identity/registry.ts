/**
 * Identity providers by name, each behind a lazy loader, so a page downloads only the provider
 * its `<veil-session provider>` names (oidc-client-ts is its own chunk, loaded only when needed).
 * `oidc` and `lti` are built in; further providers (`entra`, a host's own) register here without
 * touching the elements.
 */
import { VeilError } from '../protocol/errors.js';
import type { IdentityProvider, IdentityProviderConfig, IdentityProviderLoader } from './provider.js';

const loaders = new Map<string, IdentityProviderLoader>([
  // A small chunk that restores a stored sign-in by itself; it loads oidc-client-ts (its own
  // chunk) only when it needs it (stored-session.ts).
  ['oidc', async (config) => new (await import('./oidc/stored-session.js')).StoredOidcSession(config)],
  // msal-browser is its own chunk: pages on other providers download none of it.
  ['entra', async (config) => new (await import('./entra/entra-provider.js')).EntraProvider(config)],
  ['lti', async (config) => new (await import('./lti/lti-provider.js')).LtiProvider(config)],
]);

/** Makes `<veil-session provider="name">` use `loader`; replaces an earlier registration of `name`. */
export function registerIdentityProvider(name: string, loader: IdentityProviderLoader): void {
  loaders.set(name, loader);
}

/** Loads the provider `name`; rejects with `CONFIG_INVALID` for a name nobody registered. */
export async function loadIdentityProvider(name: string, config: IdentityProviderConfig): Promise<IdentityProvider> {
  const loader = loaders.get(name);
  if (!loader) {
    throw new VeilError('CONFIG_INVALID', {
      message: `<veil-session> has no identity provider "${name}".`,
      data: { provider: name, known: [...loaders.keys()] },
    });
  }
  return loader(config);
}
