export { createEntraVerifiers, ENTRA_AUTHORITY_BASE, ENTRA_CONSUMER_TENANT, type EntraTenant, type EntraVerifierOptions } from './entra.js';
export { createOidcVerifier, createAccessTokenVerifier, ACCESS_TOKEN_TYP, DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS, type OidcVerifierOptions, type AccessTokenVerifierOptions } from './oidc.js';
export { createIdentityRegistry } from './registry.js';
export { accessTokenInvalid } from './verifier.js';
export { checkPerimeter, type PerimeterPolicy, type PerimeterViolation } from './perimeter.js';
export type { AccessTokenVerifier, IdentityVerifier, VerifyOptions } from './verifier.js';
