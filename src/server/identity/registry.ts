/**
 * Several trusted issuers: the registry picks the verifier by the token's `iss`. The claim is read
 * unverified only to choose; the chosen verifier then checks everything (signature with that
 * issuer's keys, pinned algorithms, exact issuer, audience, type, times) as if it were alone.
 */
import { decodeJwt } from 'jose';
import { MAX_TOKEN_LENGTH } from '../../protocol/defaults.js';
import { accessTokenInvalid, type AccessTokenVerifier, type IdentityVerifier } from './verifier.js';

export function createIdentityRegistry(verifiers: readonly IdentityVerifier[]): AccessTokenVerifier {
  const byIssuer = new Map<string, IdentityVerifier>();
  for (const verifier of verifiers) {
    if (!verifier.issuer) throw new TypeError('every identity verifier needs an issuer');
    if (byIssuer.has(verifier.issuer)) throw new TypeError(`two identity verifiers for ${verifier.issuer}`);
    byIssuer.set(verifier.issuer, verifier);
  }
  if (byIssuer.size === 0) throw new TypeError('at least one identity verifier is required');

  return async (token, options) => {
    if (typeof token !== 'string' || token === '') throw accessTokenInvalid('missing');
    if (token.length > MAX_TOKEN_LENGTH) throw accessTokenInvalid('too-long');
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch (cause) {
      throw accessTokenInvalid('malformed', cause);
    }
    const verifier = typeof issuer === 'string' ? byIssuer.get(issuer) : undefined;
    if (!verifier) throw accessTokenInvalid('issuer');
    return verifier.verify(token, options);
  };
}
