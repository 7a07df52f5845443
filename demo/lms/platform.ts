/**
 * The test platform's cryptography and messages (LTI Core 1.3 §5, Security Framework §5.1.2):
 * RS256 key pairs with rotation (the JWKS keeps the previous key while tokens it signed live),
 * the id_token of a resource-link launch, and mutators — each one way a platform (or an attacker)
 * breaks a rule the tool must enforce. The demo LMS and the tests sign through the same code.
 */
import { randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { LTI_CLAIM } from '../../src/server/lti/claims.js';

export interface PlatformKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newPlatformKey(): Promise<PlatformKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Current key first; `rotate()` keeps the previous one published. */
export class PlatformKeys {
  #keys: PlatformKey[] = [];

  static async create(): Promise<PlatformKeys> {
    const keys = new PlatformKeys();
    await keys.rotate();
    return keys;
  }

  get current(): PlatformKey {
    return this.#keys[0]!;
  }

  async rotate(): Promise<PlatformKey> {
    this.#keys = [await newPlatformKey(), ...this.#keys].slice(0, 2);
    return this.current;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => key.publicJwk) };
  }
}

export interface LaunchMessage {
  issuer: string;
  clientId: string;
  deploymentId: string;
  nonce: string;
  targetLinkUri: string;
  sub: string;
  roles: string[];
  context: { id: string; label?: string; title?: string };
  /** Absent in a deep-linking request (it asks for a resource link). */
  resourceLink?: { id: string; title?: string };
  custom?: Record<string, string>;
  name?: string;
  email?: string;
}

export const ROLE = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
} as const;

export function launchClaims(message: LaunchMessage, now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: message.issuer,
    aud: message.clientId,
    azp: message.clientId,
    sub: message.sub,
    iat: now,
    exp: now + 300,
    nonce: message.nonce,
    [LTI_CLAIM.messageType]: 'LtiResourceLinkRequest',
    [LTI_CLAIM.version]: '1.3.0',
    [LTI_CLAIM.deploymentId]: message.deploymentId,
    [LTI_CLAIM.targetLinkUri]: message.targetLinkUri,
    [LTI_CLAIM.roles]: message.roles,
    [LTI_CLAIM.context]: message.context,
  };
  if (message.resourceLink) claims[LTI_CLAIM.resourceLink] = message.resourceLink;
  if (message.custom) claims[LTI_CLAIM.custom] = message.custom;
  if (message.name) claims.name = message.name;
  if (message.email) claims.email = message.email;
  return claims;
}

/** A deep-linking request (Deep Linking 2.0 §4.4): where the tool returns, what it may return, `data` to echo. */
export interface DeepLinkMessage extends Omit<LaunchMessage, 'resourceLink'> {
  returnUrl: string;
  data?: string;
}

export function deepLinkingClaims(message: DeepLinkMessage, now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const { returnUrl, data, ...launch } = message;
  const claims = launchClaims(launch, now);
  claims[LTI_CLAIM.messageType] = 'LtiDeepLinkingRequest';
  claims[LTI_CLAIM.deepLinkingSettings] = {
    deep_link_return_url: returnUrl,
    accept_types: ['ltiResourceLink'],
    accept_presentation_document_targets: ['iframe', 'window'],
    accept_multiple: false,
    auto_create: true,
    ...(data === undefined ? {} : { data }),
  };
  return claims;
}

/** What a mutator may change: the claims, the protected header, the signing key, or the token text. */
export interface Signing {
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
  key: CryptoKey | Uint8Array;
  /** Applied to the compact JWS last (truncation, tampering). */
  finish?: (token: string) => string;
  /** Signed instead of the claims (a payload that is not a JSON object). */
  rawPayload?: Uint8Array;
}

export async function signLaunch(signing: Signing): Promise<string> {
  const header = signing.header as { alg: string };
  const token = signing.rawPayload
    ? await new CompactSign(signing.rawPayload).setProtectedHeader(header).sign(signing.key)
    : await new SignJWT(signing.claims).setProtectedHeader(header).sign(signing.key);
  return signing.finish ? signing.finish(token) : token;
}

function drop(name: string) {
  return (s: Signing) => {
    delete s.claims[name];
  };
}

function set(name: string, value: unknown) {
  return (s: Signing) => {
    s.claims[name] = value;
  };
}

const now = () => Math.floor(Date.now() / 1000);

/** Each mutator breaks one rule; the tests expect each to be refused with the code named. */
export const MUTATORS: Record<string, { code: string; apply: (s: Signing) => void | Promise<void> }> = {
  'alg-none': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void (s.finish = (t) => `${Buffer.from(JSON.stringify({ alg: 'none', kid: s.header.kid })).toString('base64url')}.${t.split('.')[1]}.`) },
  'alg-hs256': {
    code: 'LTI_JOSE_HEADER_REFUSED',
    apply: (s) => {
      s.header.alg = 'HS256';
      s.key = new TextEncoder().encode('a shared secret that is thirty-two bytes long');
    },
  },
  'alg-es256': {
    code: 'LTI_JOSE_HEADER_REFUSED',
    apply: async (s) => {
      s.header.alg = 'ES256';
      s.key = (await generateKeyPair('ES256')).privateKey;
    },
  },
  'alg-ps256': {
    code: 'LTI_JOSE_HEADER_REFUSED',
    apply: async (s) => {
      s.header.alg = 'PS256';
      s.key = (await generateKeyPair('PS256')).privateKey;
    },
  },
  'no-kid': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void delete s.header.kid },
  'empty-kid': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void (s.header.kid = '') },
  'header-jku': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void (s.header.jku = 'https://attacker.test/jwks') },
  'header-x5u': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void (s.header.x5u = 'https://attacker.test/cert') },
  'header-jwk': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void (s.header.jwk = { kty: 'RSA', n: 'AQAB', e: 'AQAB' }) },
  'header-x5c': { code: 'LTI_JOSE_HEADER_REFUSED', apply: (s) => void (s.header.x5c = ['MIIB']) },
  'unknown-kid': { code: 'LTI_SIGNATURE_INVALID', apply: (s) => void (s.header.kid = 'not-a-published-key') },
  'foreign-key': {
    code: 'LTI_SIGNATURE_INVALID',
    apply: async (s) => {
      s.key = (await generateKeyPair('RS256')).privateKey;
    },
  },
  'tampered-payload': {
    code: 'LTI_SIGNATURE_INVALID',
    apply: (s) =>
      void (s.finish = (t) => {
        const [h, p, sig] = t.split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
        claims.sub = 'someone-else';
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
      }),
  },
  'truncated-signature': { code: 'LTI_SIGNATURE_INVALID', apply: (s) => void (s.finish = (t) => t.slice(0, -10)) },
  'not-a-jws': { code: 'LTI_ID_TOKEN_MALFORMED', apply: (s) => void (s.finish = () => 'not.a.jws.at.all') },
  'payload-not-json': { code: 'LTI_ID_TOKEN_MALFORMED', apply: (s) => void (s.rawPayload = new TextEncoder().encode('not json')) },
  'payload-json-array': { code: 'LTI_ID_TOKEN_MALFORMED', apply: (s) => void (s.rawPayload = new TextEncoder().encode('[1,2,3]')) },
  'wrong-iss': { code: 'LTI_ISSUER_MISMATCH', apply: set('iss', 'https://other-lms.test') },
  'iss-trailing-slash': { code: 'LTI_ISSUER_MISMATCH', apply: (s) => void (s.claims.iss = `${String(s.claims.iss)}/`) },
  'no-iss': { code: 'LTI_ISSUER_MISMATCH', apply: drop('iss') },
  'wrong-aud': { code: 'LTI_AUDIENCE_MISMATCH', apply: set('aud', 'another-tool') },
  'no-aud': { code: 'LTI_AUDIENCE_MISMATCH', apply: drop('aud') },
  'aud-array-no-azp': { code: 'LTI_AUDIENCE_MISMATCH', apply: (s) => void ((s.claims.aud = [s.claims.aud, 'another-tool']), delete s.claims.azp) },
  'aud-array-wrong-azp': { code: 'LTI_AUDIENCE_MISMATCH', apply: (s) => void ((s.claims.aud = [s.claims.aud, 'another-tool']), (s.claims.azp = 'another-tool')) },
  'wrong-azp': { code: 'LTI_AUDIENCE_MISMATCH', apply: set('azp', 'another-tool') },
  expired: { code: 'LTI_TOKEN_EXPIRED', apply: (s) => void ((s.claims.iat = now() - 200), (s.claims.exp = now() - 61)) },
  'no-exp': { code: 'LTI_TOKEN_TIME_INVALID', apply: drop('exp') },
  'no-iat': { code: 'LTI_TOKEN_TIME_INVALID', apply: drop('iat') },
  'iat-future': { code: 'LTI_TOKEN_TIME_INVALID', apply: (s) => void ((s.claims.iat = now() + 120), (s.claims.exp = now() + 400)) },
  'too-old': { code: 'LTI_TOKEN_TIME_INVALID', apply: (s) => void ((s.claims.iat = now() - 400), (s.claims.exp = now() + 100)) },
  'wrong-nonce': { code: 'LTI_NONCE_MISMATCH', apply: set('nonce', 'a-nonce-that-was-never-sent-0123456789') },
  'no-nonce': { code: 'LTI_NONCE_MISMATCH', apply: drop('nonce') },
  'wrong-message-type': { code: 'LTI_MESSAGE_TYPE_INVALID', apply: set(LTI_CLAIM.messageType, 'LtiSubmissionReviewRequest') },
  'no-message-type': { code: 'LTI_MESSAGE_TYPE_INVALID', apply: drop(LTI_CLAIM.messageType) },
  'wrong-version': { code: 'LTI_VERSION_INVALID', apply: set(LTI_CLAIM.version, '1.1') },
  'no-version': { code: 'LTI_VERSION_INVALID', apply: drop(LTI_CLAIM.version) },
  'unknown-deployment': { code: 'LTI_DEPLOYMENT_UNKNOWN', apply: set(LTI_CLAIM.deploymentId, 'd-unknown') },
  'no-deployment': { code: 'LTI_DEPLOYMENT_UNKNOWN', apply: drop(LTI_CLAIM.deploymentId) },
  'wrong-target-link': { code: 'LTI_TARGET_LINK_MISMATCH', apply: set(LTI_CLAIM.targetLinkUri, 'https://attacker.test/') },
  'no-target-link': { code: 'LTI_TARGET_LINK_MISMATCH', apply: drop(LTI_CLAIM.targetLinkUri) },
  'no-resource-link': { code: 'LTI_RESOURCE_LINK_MISSING', apply: drop(LTI_CLAIM.resourceLink) },
  'resource-link-no-id': { code: 'LTI_RESOURCE_LINK_MISSING', apply: set(LTI_CLAIM.resourceLink, { title: 'no id' }) },
  'resource-link-id-number': { code: 'LTI_CLAIM_INVALID', apply: set(LTI_CLAIM.resourceLink, { id: 42 }) },
  'anonymous-launch': { code: 'LTI_SUBJECT_MISSING', apply: drop('sub') },
  'empty-sub': { code: 'LTI_SUBJECT_MISSING', apply: set('sub', '') },
  'sub-too-long': { code: 'LTI_CLAIM_INVALID', apply: set('sub', 'x'.repeat(256)) },
  'no-roles': { code: 'LTI_ROLES_INVALID', apply: drop(LTI_CLAIM.roles) },
  'roles-not-array': { code: 'LTI_ROLES_INVALID', apply: set(LTI_CLAIM.roles, 'Learner') },
  'roles-not-strings': { code: 'LTI_ROLES_INVALID', apply: set(LTI_CLAIM.roles, [1, 2]) },
  'institution-role-only': { code: 'LTI_ROLES_INVALID', apply: set(LTI_CLAIM.roles, ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty']) },
  'system-role-only': { code: 'LTI_ROLES_INVALID', apply: set(LTI_CLAIM.roles, ['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator']) },
  'too-many-roles': { code: 'LTI_CLAIM_INVALID', apply: set(LTI_CLAIM.roles, Array.from({ length: 101 }, () => ROLE.learner)) },
  'no-context': { code: 'LTI_CONTEXT_MISSING', apply: drop(LTI_CLAIM.context) },
  'context-no-id': { code: 'LTI_CONTEXT_MISSING', apply: set(LTI_CLAIM.context, { title: 'A course' }) },
  'context-id-too-long': { code: 'LTI_CLAIM_INVALID', apply: set(LTI_CLAIM.context, { id: 'c'.repeat(256) }) },
  'name-too-long': { code: 'LTI_CLAIM_INVALID', apply: set('name', 'n'.repeat(201)) },
  'oversized-token': { code: 'LTI_ID_TOKEN_MALFORMED', apply: set('https://example.test/claim/padding', 'p'.repeat(17 * 1024)) },
};

function settings(change: (value: Record<string, unknown>) => void) {
  return (s: Signing) => {
    const value = { ...(s.claims[LTI_CLAIM.deepLinkingSettings] as Record<string, unknown>) };
    change(value);
    s.claims[LTI_CLAIM.deepLinkingSettings] = value;
  };
}

/** Each breaks one rule of a deep-linking request (on top of every launch rule above, which apply too). */
export const DEEP_LINK_MUTATORS: Record<string, { code: string; apply: (s: Signing) => void | Promise<void> }> = {
  'dl-no-settings': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: drop(LTI_CLAIM.deepLinkingSettings) },
  'dl-settings-not-object': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: set(LTI_CLAIM.deepLinkingSettings, 'https://lms.test/return') },
  'dl-no-return-url': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void delete v.deep_link_return_url) },
  'dl-return-url-javascript': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void (v.deep_link_return_url = 'javascript:alert(1)')) },
  'dl-return-url-relative': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void (v.deep_link_return_url = '/lms/deep-link/return')) },
  'dl-return-url-too-long': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void (v.deep_link_return_url = `https://lms.test/${'r'.repeat(2048)}`)) },
  'dl-no-accept-types': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void delete v.accept_types) },
  'dl-accept-types-no-resource-link': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void (v.accept_types = ['file', 'html'])) },
  'dl-data-not-string': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void (v.data = { id: 1 })) },
  'dl-data-too-long': { code: 'LTI_DEEP_LINK_SETTINGS_INVALID', apply: settings((v) => void (v.data = 'd'.repeat(2049))) },
  'dl-learner': { code: 'LTI_DEEP_LINK_ROLE_REFUSED', apply: set(LTI_CLAIM.roles, [ROLE.learner]) },
  'dl-mentor-short': { code: 'LTI_DEEP_LINK_ROLE_REFUSED', apply: set(LTI_CLAIM.roles, ['Mentor']) },
  'dl-institution-faculty': { code: 'LTI_ROLES_INVALID', apply: set(LTI_CLAIM.roles, ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty']) },
  'dl-no-email': { code: 'LTI_INSTRUCTOR_UNKNOWN', apply: drop('email') },
  'dl-unknown-email': { code: 'LTI_INSTRUCTOR_UNKNOWN', apply: set('email', 'nobody@school.test') },
  'dl-partial-email': { code: 'LTI_INSTRUCTOR_UNKNOWN', apply: set('email', 'teacher@school') },
};
